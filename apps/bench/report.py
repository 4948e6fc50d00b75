"""Rows of the benchmark table, their goals, and the table as Markdown."""

from dataclasses import dataclass, field

from .wrk import Measurement


@dataclass
class Line:
    """One printed line: a measured target, or a text-only result such as a missing endpoint."""

    label: str
    requests_per_second: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    queries: int | None = None
    ratio: str = ""
    goal: str = ""
    met: bool | None = None
    note: str = ""

    @classmethod
    def measured(cls, label: str, measurement: Measurement, queries: int | None, **kwargs: object) -> "Line":
        note = f"{measurement.errors} errors or non-2xx" if measurement.errors else ""
        return cls(
            label,
            measurement.requests_per_second,
            measurement.percentile_ms(50),
            measurement.percentile_ms(99),
            queries,
            note=note,
            **kwargs,  # type: ignore[arg-type]
        )


@dataclass
class Section:
    title: str
    lines: list[Line] = field(default_factory=list)


def ratio_text(value: float, what: str) -> str:
    return f"{value:.2f}× {what}"


def _number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return ""
    if value != value:  # NaN: no requests completed.
        return "–"
    return f"{value:,.{digits}f}"


def _met(value: bool | None) -> str:
    return {True: "yes", False: "**no**", None: ""}[value]


def markdown_table(sections: list[Section]) -> str:
    """Render the sections as one Markdown table, with a bold heading line per section."""
    header = "| row | req/s | p50 ms | p99 ms | SQL/req | ratio | goal | met | note |"
    lines = [header, "|" + " --- |" * 9]
    for section in sections:
        lines.append(f"| **{section.title}** | | | | | | | | |")
        for line in section.lines:
            queries = "" if line.queries is None else str(line.queries)
            lines.append(
                f"| {line.label} | {_number(line.requests_per_second, 0)} | {_number(line.p50_ms)} | "
                f"{_number(line.p99_ms)} | {queries} | {line.ratio} | {line.goal} | {_met(line.met)} | {line.note} |"
            )
    return "\n".join(lines)


def unmet_goals(sections: list[Section]) -> list[str]:
    """Return one sentence per line whose goal is not met."""
    return [
        f"{section.title}: {line.label}: {line.ratio or line.note} (goal {line.goal})"
        for section in sections
        for line in section.lines
        if line.met is False
    ]
