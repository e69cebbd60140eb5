"""``--index KIND [--memory-budget]`` over every signal of a bundle at once, and its manifest record."""

from __future__ import annotations

from ytrec.errors import ArtifactError
from ytrec.index.auto import INDEX_CHOICES, IndexChoice, choose_jointly, fixed_plan
from ytrec.signals.base import BuildContext, SignalSpec


def plan_stores(
    specs: list[SignalSpec], ctx: BuildContext, request: str = "auto", budget_bytes: int | None = None
) -> dict[str, IndexChoice]:
    """Each signal's store: ``auto`` chooses all of them together within the budget (index/auto.py);
    a named kind is used by every signal that has it, the others keep their default."""
    n = len(ctx)
    sizing = {s.name: s.sizing(ctx) for s in specs}
    if request == "auto":
        return choose_jointly({s.name: s.store_candidates(n, **sizing[s.name]) for s in specs}, budget_bytes)
    if request not in INDEX_CHOICES:
        raise ArtifactError(f"unknown index kind '{request}' (choose from {', '.join(INDEX_CHOICES)})")
    return fixed_plan({s.name: s.requested(request, n, **sizing[s.name]) for s in specs}, budget_bytes)


def selection_record(request: str, budget_bytes: int | None, choices: dict[str, IndexChoice]) -> dict:
    """manifest["index_selection"]: what was asked, the budget, and each signal's choice with its reason."""
    total = sum(c.estimated_bytes for c in choices.values())
    return {"requested": request, "memory_budget_bytes": budget_bytes, "estimated_bytes": total,
            "modalities": {name: choice.to_dict() for name, choice in choices.items()}}


def describe_choice(name: str, choice: IndexChoice) -> str:
    """One log line for a built store."""
    params = f" {choice.params}" if choice.params else ""
    over = ", over the budget" if choice.over_budget else ""
    return f"{name} store: {choice.kind}{params}: {choice.reason} (~{choice.estimated_bytes / 2**20:.1f} MB{over})"
