"""The ``taihang`` command line: score, route, map, and views of the data and assumptions.

Every user error (unknown name, bad coordinates, a year before the data, a bad override) prints
one line ``taihang: error: ...`` and exits with status 2; no traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pandas as pd

from network.assumptions import Assumptions, parse_overrides
from network.errors import NetworkModelError
from network.model import Model, default_year
from network.outputs import OutputSet
from network.viz import text

_YEAR = click.option(
    "--year",
    type=click.IntRange(2000, 2060),
    default=None,
    help="Network as it stood at the end of this year (default: the data's own date, "
    "data/dataset.yaml, or the year a scenario's last change opens if later).",
)
_ASSUME_OPTION = click.option(
    "--assume",
    "assume",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a modelling constant (see `taihang assumptions`); repeatable. "
    "Values must lie in the constant's documented range unless --force.",
)
_FORCE_OPTION = click.option(
    "--force",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _p, v: ctx.meta.__setitem__("force_assumptions", bool(v)),
    help="Allow --assume values outside their documented range (with a warning).",
)


def _ASSUME(f: Any) -> Any:  # an option decorator, named like the others
    return _FORCE_OPTION(_ASSUME_OPTION(f))


def _assumptions(assume: tuple[str, ...]) -> Assumptions:
    """The constants with the ``--assume`` overrides (checked against their ranges unless --force;
    a forced value is then named in every output: :attr:`network.model.Model.warnings`)."""
    if not assume:
        return Assumptions()
    force = bool(click.get_current_context().meta.get("force_assumptions"))
    return Assumptions().replace(force=force, **parse_overrides(assume))


class _Group(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Every usage error is one line ``taihang: error: …`` and exit status 2 (click's own
        handler prints three)."""
        standalone = kwargs.pop("standalone_mode", True)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.UsageError as err:
            where = f" (see `{err.ctx.command_path} --help`)" if err.ctx is not None else ""
            click.echo(f"taihang: error: {err.format_message()}{where}", err=True)
            rv = 2
        except click.ClickException as err:
            click.echo(f"taihang: error: {err.format_message()}", err=True)
            rv = err.exit_code
        except click.Abort:
            click.echo("taihang: aborted", err=True)
            rv = 1
        if not standalone:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NetworkModelError as err:
            first, *rest = str(err).splitlines() or [""]
            click.echo(f"taihang: error: {first}", err=True)
            cap = 25  # every reader caps its own list; this bounds what any error can print
            for line in rest[:cap]:
                click.echo(f"  {line.strip()[:2000]}", err=True)
            if len(rest) > cap:
                click.echo(f"  … and {len(rest) - cap:,} more line(s)", err=True)
            ctx.exit(2)
        except BrokenPipeError:  # `taihang … | head`: the reader left; say nothing more
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except MemoryError:
            click.echo("taihang: error: out of memory; nothing was written", err=True)
            ctx.exit(2)
        except OSError as err:  # at the boundary: a full disk, a folder gone, a permission; never a traceback
            import errno

            where = f"{err.filename}: " if getattr(err, "filename", None) else ""
            hint = "free some space and run again" if err.errno in (errno.ENOSPC, errno.EDQUOT) else "check the path"
            click.echo(f"taihang: error: {where}{err.strerror or err}; nothing was half-written; {hint}", err=True)
            ctx.exit(2)


#: What each routing mode means, in every command's help (network/model.py has the long form).
MODE_HELP = (
    "road: by car, door to door. rail: the trip must ride a train (HSR or conventional), with road "
    "access to the boarding station and from the alighting one, so it can be slower than road. "
    "transit: as rail, but a coach or plane may carry the main part. best: the fastest of any mix. "
    "Between two stations, rail and transit are platform to platform."
)


def mode_option(default: str = "best") -> Any:
    """The ``--mode`` option, with :data:`MODE_HELP`."""
    return click.option(
        "--mode",
        type=click.Choice(["best", "road", "rail", "transit"]),
        default=default,
        show_default=True,
        help=MODE_HELP,
    )


_WIDE = click.option(
    "--wide",
    is_flag=True,
    help="Print every column (the default view has the key ones and fits 100 columns); --format csv|json "
    "gives everything for other programs.",
)
_SCENARIO = click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Apply this scenario file to the network first.",
)


_THRESHOLDS = click.option(
    "--thresholds",
    default="60,90,120,180",
    show_default=True,
    help="Minutes for the population-within indicators, comma-separated (no cap).",
)


def _thresholds(text: str) -> tuple[float, ...]:
    try:
        out = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected minutes separated by commas, e.g. 60,90,120,180") from None
    if not out or any(not (0 < x < 10_000) for x in out):
        raise click.BadParameter(f"{text!r}: every threshold must be a number of minutes > 0 and below 10,000")
    return out


def _outputs(out_dir: Path | None) -> Any:
    """An :class:`~network.io.OutputSet` for ``--out`` (made now, so an unwritable target fails
    before the work; a failure inside its ``with`` leaves nothing behind), or a null context."""
    import contextlib

    return OutputSet(out_dir) if out_dir is not None else contextlib.nullcontext()


def _check_writable(path: Path, stream: bool = False) -> None:
    """Fail now, in one line, if ``path`` cannot be written (a missing folder is created) or is
    not a regular file to replace (a device, FIFO, socket, folder or link); ``-`` (standard
    output) passes where ``stream`` says the format streams."""
    import tempfile

    from network.errors import DataError
    from network.io import check_file_target, clean_leftovers

    if str(path) == "-":
        if stream:
            return
        raise DataError("--out -: this format cannot be written to standard output; give a file name")
    check_file_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(path)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name[:60]}.", suffix=".check"):
            pass
    except OSError as err:
        raise DataError(f"{path}: cannot write there ({err.strerror or err}); choose a path you can write to") from None


def _targets(text: str) -> list[str]:
    out = list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if not out:
        raise click.BadParameter(
            f"{text!r}: give one or more target places separated by commas, e.g. 郑州,洛阳", param_hint="--targets"
        )
    return out


_NETWORK = click.option(
    "--network",
    "network_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A network file from `taihang build` (default: the embedded network).",
)


def _warn(warnings: Sequence[str], frames: Sequence[pd.DataFrame] = ()) -> None:
    click.echo(text.warnings_text(warnings, frames), nl=False)


def _warn_to_stderr(warnings: Sequence[str], frames: Sequence[pd.DataFrame] = ()) -> None:
    """The warnings of a run whose data went to standard output (``--out -``)."""
    click.echo(text.warnings_text(warnings, frames), nl=False, err=True)


def _base(network_path: Path | None, year: int | None, assumptions: Assumptions) -> Model:
    """The base network: the embedded default, or a built network file."""
    from network.model import Model

    if network_path is not None:
        return Model.from_network(network_path, year=year, assumptions=assumptions)
    return Model.default(year=year, assumptions=assumptions)


def _model(
    year: int | None, assume: tuple[str, ...], scenario_path: Path | None = None, network_path: Path | None = None
) -> Model:
    assumptions = _assumptions(assume)
    scenario = None
    if scenario_path is not None:
        from network.scenario.load import load_scenario

        scenario = load_scenario(scenario_path)
        if year is None:
            year = default_year([scenario])
    if sys.stderr.isatty():
        click.echo("building the network (the first run reads and caches the road geometry, ~5 s)…", err=True)
    model = _base(network_path, year, assumptions)
    if scenario is not None:
        model = model.with_scenario(scenario)
        report = model.apply_report
        for line in report.skipped if report is not None else []:
            click.echo(f"not applied: {line}", err=True)
        for line in report.notes if report is not None else []:
            click.echo(f"note: {line}", err=True)
    return model


@click.group(cls=_Group)
@click.version_option(package_name="taihang")
def main() -> None:
    """taihang: door-to-door access from the towns of south-east Shanxi to Zhengzhou and Luoyang."""


# The commands, by what they do: each module registers its commands on ``main`` when imported.
from network.commands import analysis, data, facilities, queries, schema  # noqa: E402, F401

if __name__ == "__main__":
    main()
