"""Channel name → adapter: the one place that knows which adapters exist. Only the composition root
(bot/app/runtime.py) builds them; a new channel is its adapter module, one line here and its settings."""

from __future__ import annotations

import logging

from bot.platform.config import Settings
from channels.base import ChannelSet
from channels.sms import SmsChannel
from channels.telegram import TelegramChannel, TelegramPoller
from channels.webchat import WebchatLinks

log = logging.getLogger("mediator.channels")


def build_channels(settings: Settings) -> ChannelSet:
    """The adapters whose settings are complete; each channel that is off says so in one log line."""
    channels = ChannelSet(adapters={"webchat": WebchatLinks(settings)})
    cs = settings.channels
    missing = cs.telegram_missing()
    if missing:
        log.info("telegram channel off: set %s", ", ".join(missing))
    else:
        channels.adapters["telegram"] = TelegramChannel(settings)
        if cs.telegram_polling:
            channels.background.append(TelegramPoller(channels.adapters["telegram"]))
            log.info("telegram: polling getUpdates (TELEGRAM_POLLING); the webhook is not used")
    missing = cs.sms_missing()
    if missing:
        log.info("sms channel off: set %s", ", ".join(missing))
    else:
        channels.adapters["sms"] = SmsChannel(settings)
    return channels
