"""Kiosk issuing while 24 clients send wrong passwords, and how long a wrong password takes for a
known and an unknown user name. Prints one JSON line.

Three phases of `--seconds` each on one SQLite server: issuing alone; issuing under the flood with the
sign-in limits lifted (what checking passwords outside the store's write lock buys on its own); and
under the flood with the default limits (the flood is answered 429 after a few guesses)."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from harness import Database, Http, Server, emit, percentiles

LIFTED = json.dumps([1_000_000, 0.000001])


async def issuing(port: int, token: str, stop: asyncio.Event, out: list[float], kiosks: int = 4) -> None:
    async def kiosk() -> None:
        http = Http(port)
        headers = {"Authorization": f"Bearer {token}"}
        while not stop.is_set():
            t0 = time.perf_counter()
            status, body = await http.request("POST", "/api/halls/demo/tickets", {"services": ["tax-general"]}, headers)
            assert status == 201, body
            out.append(time.perf_counter() - t0)
            await asyncio.sleep(0.05)  # a kiosk's pace, not a load test
        http.close()

    await asyncio.gather(*(kiosk() for _ in range(kiosks)))


async def flood(port: int, stop: asyncio.Event, answers: dict[int, int], clients: int = 24) -> None:
    async def guesser(i: int) -> None:
        http = Http(port)
        n = 0
        while not stop.is_set():
            status, _ = await http.request(
                "POST", "/api/auth/login", {"username": f"clerk{1 + i % 8}", "password": f"guess-{n}"}
            )
            answers[status] = answers.get(status, 0) + 1
            n += 1
        http.close()

    await asyncio.gather(*(guesser(i) for i in range(clients)))


async def phase(port: int, token: str, seconds: float, with_flood: bool) -> dict:
    stop, took, answers = asyncio.Event(), [], {}
    tasks = [asyncio.create_task(issuing(port, token, stop, took))]
    if with_flood:
        tasks.append(asyncio.create_task(flood(port, stop, answers)))
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks)
    v = sorted(took)
    return {
        "issued": len(v),
        "issue_p90_ms": round(v[int(0.9 * len(v))] * 1000, 1),
        **{f"issue_{k}": x for k, x in percentiles(v).items()},
        "login_answers": {str(k): n for k, n in sorted(answers.items())},
    }


async def wrong_password_ms(port: int, rounds: int = 7) -> dict:
    http = Http(port)
    known, unknown = [], []
    for i in range(rounds):
        for name, into in ((f"clerk{1 + i % 8}", known), (f"nobody{i}", unknown)):
            t0 = time.perf_counter()
            status, _ = await http.request("POST", "/api/auth/login", {"username": name, "password": "wrong-one"})
            assert status == 401
            into.append(time.perf_counter() - t0)
    http.close()
    return {
        "wrong_password_known_ms": round(statistics.median(known) * 1000, 1),
        "wrong_password_unknown_ms": round(statistics.median(unknown) * 1000, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    args = ap.parse_args()
    figures: dict = {"bench": "signin_flood", "guessers": 24, "kiosks": 4}
    db = Database("sqlite")
    try:
        srv = Server(db, limit_login_account=LIFTED, limit_login_address=LIFTED)
        try:
            figures |= asyncio.run(wrong_password_ms(srv.port))
            figures["alone"] = asyncio.run(phase(srv.port, db.tokens["kiosk"], args.seconds, False))
            figures["flood_limits_lifted"] = asyncio.run(phase(srv.port, db.tokens["kiosk"], args.seconds, True))
        finally:
            srv.stop()
        srv = Server(db)
        try:
            figures["flood_default_limits"] = asyncio.run(phase(srv.port, db.tokens["kiosk"], args.seconds, True))
        finally:
            srv.stop()
    finally:
        db.close()
    emit(figures)


if __name__ == "__main__":
    main()
