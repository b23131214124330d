"""The remedy rules' topic follows what the buyer told in chat when the review's triage said another (held-out
personas round 3: a review about a rude hotline was triaged as delivery, and the rude-support coupon never
applied)."""

from __future__ import annotations

from bot.conversation import flow
from bot.platform.vocab import Stage
from bot.policy.remedies import options_for
from tests.test_flow import REMEDIES, facts


def case(topic: str, problems: list[str]) -> flow.State:
    return flow.State(Stage.PROPOSING, {"language": "de", "problems": problems}, facts(topic=topic))


def test_a_problem_told_in_chat_names_the_topic_the_triage_missed() -> None:
    told = flow.remedy_facts(case("delivery", ["support_rude"]))
    assert told.topic == "service"
    assert "coupon" in {o.type for o in options_for(REMEDIES, told)}


def test_the_review_topic_stays_when_a_told_problem_belongs_to_it_or_to_none() -> None:
    assert flow.remedy_facts(case("delivery", ["late", "support_rude"])).topic == "delivery"
    assert flow.remedy_facts(case("product", ["support_rude"])).topic == "product"  # a product review keeps its own
    assert flow.remedy_facts(case("delivery", ["damaged"])).topic == "delivery"  # a fault belongs to no topic
    assert flow.remedy_facts(case("billing", ["late", "support_rude"])).topic == "billing"  # two others: unsure
    assert flow.remedy_facts(case("website", ["late"])).topic == "website"  # nothing told names a site fault
