"""Schema of `policies/shop.yml`: the shop's name, default language and team signature."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.platform.yaml_lines import load_model_file


class ShopPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    default_language: str = Field("en", pattern=r"^[a-z]{2}$")
    team_signature: dict[str, str]

    @model_validator(mode="after")
    def _signature_in_default_language(self) -> ShopPolicy:
        if self.default_language not in self.team_signature:
            raise ValueError(f"team_signature needs the default language {self.default_language!r}")
        return self

    def signature(self, language: str) -> str:
        return self.team_signature.get(language) or self.team_signature[self.default_language]


def load_shop_policy(path: Path) -> ShopPolicy:
    return load_model_file(path, ShopPolicy)
