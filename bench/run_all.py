"""`make bench`: runs the load, calling, fan-out, multi-process, city, flood and board-voice benchmarks one after
the other and prints their JSON lines (one each). Arguments after `--` go to every benchmark unchanged, e.g.
`python bench/run_all.py -- --help`. Exits non-zero if a benchmark failed."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

BENCHES = [
    ("load", ["load.py", "--windows", "0"]),  # issuing alone: the throughput target
    ("load", ["load.py"]),  # issuing while eight windows call and finish as fast as they can
    ("load-calls", ["load.py", "--calls"]),  # eight windows calling alone (finish-next): the calling target
    ("fanout", ["fanout.py"]),
    ("multiproc", ["multiproc.py"]),
    ("city", ["city.py"]),  # 150 halls, two processes, open-loop tickets and calls
    ("city", ["city.py", "--township"]),  # and one hall shipping its log from its own server through a cut
    ("floods", ["floods.py"]),  # kiosk issuing under slow-connection, body and sign-in floods
    ("voice", ["voice.py"]),  # 31 windows calling at once, one board voicing them (headless Chromium)
]


def postgres_reachable() -> bool:
    from harness import PG_ADMIN
    from sqlalchemy import create_engine, text

    try:
        with create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://")).connect() as c:
            c.execute(text("select 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def main() -> int:
    extra = sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else []
    failed = 0
    for name, args in BENCHES:
        if name in ("multiproc", "city") and not postgres_reachable():
            print(json.dumps({"bench": name, "skipped": "PostgreSQL is not reachable (HALLQ_BENCH_PG)"}), flush=True)
            continue
        started = time.monotonic()
        r = subprocess.run([sys.executable, str(HERE / args[0]), *args[1:], *extra], capture_output=True, text=True)
        lines = [line for line in r.stdout.splitlines() if line.startswith("{")]
        if r.returncode == 0 and lines:
            print(lines[-1], flush=True)
        else:
            failed += 1
            print(
                json.dumps(
                    {
                        "bench": name,
                        "failed": r.returncode,
                        "seconds": round(time.monotonic() - started, 1),
                        "stderr": r.stderr[-2000:],
                    },
                    ensure_ascii=False,
                ),
                flush=True,
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
