#!/usr/bin/env python3
"""Draws docs/bench/lookup_insert.png from the series of a benchmark report.

    cargo bench -p containerpub-tests --bench adapters      # writes target/bench/report.json
    python3 docs/bench/plot.py [REPORT] [OUTPUT]

REPORT defaults to <repo>/target/bench/report.json (or $CARGO_TARGET_DIR/bench/report.json),
OUTPUT to docs/bench/lookup_insert.png beside this script. Needs matplotlib
(`pip install matplotlib`).

Left: point-lookup latency by uuid against table size, per adapter (log-log), with the raw
sqlx prepared statement as a dashed reference. Right: `insert_many` throughput (1,000-row
batches) against table size.
"""

import json
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

STYLE = {
    "memory": {"label": "in-memory adapter", "color": "tab:green", "marker": "o", "ls": "-"},
    "postgres": {"label": "PostgreSQL adapter", "color": "tab:blue", "marker": "s", "ls": "-"},
    "postgres_raw_sqlx": {
        "label": "raw sqlx prepared statement",
        "color": "tab:gray",
        "marker": "^",
        "ls": "--",
    },
}


def default_report() -> Path:
    target = os.environ.get("CARGO_TARGET_DIR")
    base = Path(target) if target else ROOT / "target"
    return base / "bench" / "report.json"


def load_series(report: list) -> dict:
    """{metric: {adapter: ([sizes], [values], unit)}} from the entries holding a "series"."""
    out: dict = {}
    for entry in report:
        series = entry.get("series")
        if not series:
            continue
        points = [p for p in series["points"] if p[1] is not None]
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        out.setdefault(series["metric"], {})[series["adapter"]] = (xs, ys, series["unit"])
    return out


def machine_line(report: list) -> str:
    for entry in report:
        if entry.get("name") == "machine":
            return (
                f"{entry.get('sizes', '?')} run {entry.get('date_utc', '?')} · "
                f"{entry.get('nproc', '?')} CPUs ({entry.get('cpu_model', '?')}) · "
                f"PostgreSQL {str(entry.get('postgres_version', '?')).split(' ')[0]}"
            )
    return ""


def fmt_rows(x: float) -> str:
    if x >= 1_000_000:
        return f"{x / 1_000_000:g}M"
    if x >= 1_000:
        return f"{x / 1_000:g}k"
    return f"{x:g}"


def draw(series: dict, title: str, output: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), constrained_layout=True)
    panels = [
        (left, "lookup_latency", "find_by_uuid latency (µs, log scale)", True),
        (right, "insert_throughput", "insert_many throughput (rows/s, log scale)", True),
    ]
    for ax, metric, ylabel, logy in panels:
        by_adapter = series.get(metric, {})
        for adapter in ("memory", "postgres", "postgres_raw_sqlx"):
            if adapter not in by_adapter:
                continue
            xs, ys, _unit = by_adapter[adapter]
            style = STYLE[adapter]
            ax.plot(
                xs,
                ys,
                label=style["label"],
                color=style["color"],
                marker=style["marker"],
                linestyle=style["ls"],
            )
            for x, y in zip(xs, ys):
                if y >= 1_000_000:
                    text = f"{y / 1_000_000:.2f}M"
                elif y >= 1000:
                    text = f"{y / 1000:.0f}k"
                else:
                    text = f"{y:.3g}"
                ax.annotate(
                    text,
                    (x, y),
                    textcoords="offset points",
                    xytext=(0, -13) if adapter == "postgres_raw_sqlx" else (0, 7),
                    ha="center",
                    fontsize=8,
                    color=style["color"],
                )
        ax.set_xscale("log")
        if logy:
            ax.set_yscale("log")
        sizes = sorted({x for xs, _, _ in by_adapter.values() for x in xs})
        if sizes:
            ax.set_xticks(sizes)
            ax.set_xticklabels([fmt_rows(x) for x in sizes])
            ax.minorticks_off()
        ax.set_xlabel("rows in users")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="best", fontsize=9)
    left.set_title("Point lookup by uuid vs table size")
    right.set_title("Batch insert (1,000 rows) vs table size")
    if title:
        fig.suptitle(title, fontsize=9)
    fig.savefig(output, dpi=120)
    print(f"wrote {output}")


def main() -> int:
    report_path = Path(sys.argv[1]) if len(sys.argv) > 1 else default_report()
    output = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "lookup_insert.png"
    report = json.loads(report_path.read_text())
    series = load_series(report)
    if not series:
        print(
            f"{report_path} has no series: run the full benchmark (or add --sizes)",
            file=sys.stderr,
        )
        return 1
    draw(series, machine_line(report), output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
