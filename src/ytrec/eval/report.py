"""Evaluation output: a terminal table, ``metrics.json``, and a Markdown report with a bar chart."""

from __future__ import annotations

import json
from pathlib import Path

COLUMNS = ("ndcg", "precision", "recall", "mrr", "hit_rate", "coverage", "own_channel_share")


def _columns(report: dict, k: int) -> list[str]:
    present = {key for metrics in report["systems"].values() for key in metrics}
    names = [f"{c}@{k}" for c in COLUMNS if f"{c}@{k}" in present]
    return names + sorted(key for key in present if key.startswith("ild_") and key.endswith(f"@{k}"))


def _rows(report: dict, k: int) -> tuple[list[str], list[list[str]]]:
    columns = _columns(report, k)
    order = sorted(report["systems"].items(), key=lambda item: -item[1].get(f"ndcg@{k}", 0.0))
    rows = []
    for name, metrics in order:
        label = f"{name} [default]" if metrics.get("default") else name
        rows.append([label] + [f"{metrics[c]:.3f}" if c in metrics else "-" for c in columns] + [f"{metrics['ms_per_query']:.1f}"])
    return ["system"] + columns + ["ms/query"], rows


def format_table(report: dict, k: int) -> str:
    header, rows = _rows(report, k)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             for row in [header] + rows]
    return "\n".join([f"label '{report['label']}', {report['queries']} queries, k={k}"] + lines)


def format_copies(copies: dict[str, dict]) -> str:
    if not copies:
        return ""
    transforms = [key.split("/")[0] for key in next(iter(copies.values())) if key.endswith("/recall@1")]
    lines = ["copy detection: recall@1 / recall@10 of the original",
             "system".ljust(26) + "".join(t.rjust(22) for t in transforms)]
    for name, metrics in copies.items():
        cells = "".join(f"{metrics[f'{t}/recall@1']:.3f} / {metrics[f'{t}/recall@10']:.3f}".rjust(22) for t in transforms)
        lines.append(name.ljust(26) + cells)
    return "\n".join(lines)


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def write_report(report: dict, directory: Path) -> list[Path]:
    """metrics.json, report.md and one ndcg bar chart per k; returns the written paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / "metrics.json"]
    written[0].write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    sections = [f"# ytrec evaluation\n\nBundle `{report['bundle']}`; relevance: same `{report['label']}`; "
                f"{report['queries']} leave-one-out queries over {report['catalog_size']} videos; "
                f"default fusion `{report['fusion']['method']}` with weights {report['fusion']['weights']}.\n"]
    for k in report["ks"]:
        chart = directory / f"ndcg_at_{k}.png"
        _bar_chart(report, k, chart)
        written.append(chart)
        header, rows = _rows(report, k)
        sections.append(f"## k = {k}\n\n{_markdown_table(header, rows)}\n\n![nDCG@{k}]({chart.name})\n")
    if report.get("copies"):
        sections.append("## Copy detection\n\n```\n" + format_copies(report["copies"]) + "\n```\n")
    (directory / "report.md").write_text("\n".join(sections), encoding="utf-8")
    written.append(directory / "report.md")
    return written


def _bar_chart(report: dict, k: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = sorted(report["systems"].items(), key=lambda item: item[1].get(f"ndcg@{k}", 0.0))
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(items) + 1.2))
    colours = ["tab:orange" if m.get("default") else "tab:blue" for _, m in items]
    ax.barh([name for name, _ in items], [m.get(f"ndcg@{k}", 0.0) for _, m in items], color=colours)
    ax.set_xlabel(f"nDCG@{k} (same {report['label']} = relevant; orange: default)")
    ax.set_xlim(0, 1)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
