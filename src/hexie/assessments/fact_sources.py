"""Where a self-assessment's fact came from, when another app set it (the satisfaction survey
sets ``satisfaction_percent``). Those apps sit above assessments, so they register a provider
from their ``AppConfig.ready`` and assessments imports none of them.

A provider is ``fn(self_assessment) -> object | None``: what the page shows beside the fact
("来源：满意度调查第 N 轮"), or None when the value was typed in.
"""

from collections.abc import Callable

SATISFACTION_SOURCES: list[Callable] = []


def register_satisfaction_source(provider: Callable) -> Callable:
    """Register a provider (usable as a decorator); registering twice is a no-op."""
    if provider not in SATISFACTION_SOURCES:
        SATISFACTION_SOURCES.append(provider)
    return provider


def satisfaction_source(self_assessment):
    """The first registered provider's answer for ``satisfaction_percent``, or None."""
    for provider in SATISFACTION_SOURCES:
        source = provider(self_assessment)
        if source is not None:
            return source
    return None
