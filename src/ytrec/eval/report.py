"""Evaluation output: a terminal table, ``metrics.json``, and a Markdown report with a bar chart,
the thumbnail neighbour grid and the cross-script table."""

from __future__ import annotations

import json
from pathlib import Path

NEIGHBOURS_FILE = "neighbours.png"
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


def format_cross_script(result: dict) -> str:
    """A Markdown table: one row per (from, to) script pair, nDCG@k of each title signal and random."""
    k = result["k"]
    systems = list(dict.fromkeys(name for pair in result["pairs"] for name in pair["systems"]))
    header = ["from script", "to script", "queries"] + [f"{name} nDCG@{k}" for name in systems]
    rows = [[pair["from"], pair["to"], str(pair["queries"])]
            + [f"{pair['systems'][n][f'ndcg@{k}']:.3f}" if n in pair["systems"] else "-" for n in systems]
            for pair in result["pairs"]]
    intro = (f"A title in one script against only the titles in another (`{result['column']}`); relevant: same "
             f"`{result['label']}`.\n\n")
    return intro + _markdown_table(header, rows)


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
    if report.get("neighbours"):
        grid = report["neighbours"]
        path = directory / NEIGHBOURS_FILE
        _neighbour_chart(grid, path)
        written.append(path)
        sections.append(
            f"## Nearest neighbours by {grid['signal']}\n\nEach row: a query thumbnail (left, blue frame) and its "
            f"{grid['k']} nearest other videos by the `{grid['signal']}` signal with their cosine; green frame: same "
            f"`{grid['label']}` as the query, red: another.\n\n![nearest neighbours]({path.name})\n")
    if report.get("cross_script"):
        sections.append("## Cross-script title matching\n\n" + format_cross_script(report["cross_script"]) + "\n")
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


def _neighbour_chart(grid: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    rows, columns = len(grid["rows"]), 1 + grid["k"]
    fig, axes = plt.subplots(rows, columns, figsize=(1.9 * columns, 1.35 * rows), squeeze=False)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_visible(False)
    for i, row in enumerate(grid["rows"]):
        cells = [(row["thumbnail"], f"query · {row['label']}", "tab:blue")]
        cells += [(n["thumbnail"], f"{n['score']:.2f} · {n['label']}", "tab:green" if n["relevant"] else "tab:red")
                  for n in row["neighbours"]]
        for j, (thumbnail, caption, colour) in enumerate(cells):
            ax = axes[i][j]
            ax.set_visible(True)
            with Image.open(thumbnail) as image:
                ax.imshow(image.convert("RGB"))
            ax.set_title(caption[:28], fontsize=7)
            for spine in ax.spines.values():
                spine.set_edgecolor(colour)
                spine.set_linewidth(3)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
