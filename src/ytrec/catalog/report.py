"""The ingest report: every row that was not used, with its reason. Nothing is dropped silently."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SkippedRow:
    row: int  # 1-based data row number in the source (header not counted)
    video_id: str | None
    reason: str  # a short stable code, e.g. "missing_title"
    detail: str  # a human sentence


@dataclass
class IngestReport:
    source: str
    total_rows: int = 0
    accepted: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)

    def skip(self, row: int, video_id: str | None, reason: str, detail: str) -> None:
        self.skipped.append(SkippedRow(row, video_id, reason, detail))

    def reason_counts(self) -> dict[str, int]:
        return dict(Counter(s.reason for s in self.skipped))

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "total_rows": self.total_rows,
            "accepted": self.accepted,
            "skipped_count": len(self.skipped),
            "skipped_by_reason": self.reason_counts(),
            "skipped": [asdict(s) for s in self.skipped],
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")

    def summary(self, max_examples: int = 5) -> str:
        lines = [f"ingest: {self.accepted} of {self.total_rows} rows accepted from {self.source}"]
        if self.skipped:
            counts = ", ".join(f"{n} {r}" for r, n in sorted(self.reason_counts().items()))
            lines.append(f"  skipped {len(self.skipped)}: {counts}")
            for s in self.skipped[:max_examples]:
                lines.append(f"  row {s.row} ({s.video_id or 'no id'}): {s.detail}")
            if len(self.skipped) > max_examples:
                lines.append(f"  ... {len(self.skipped) - max_examples} more in the JSON report")
        return "\n".join(lines)
