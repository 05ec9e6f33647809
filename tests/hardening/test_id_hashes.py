"""An ID number is stored only as a keyed hash: no cell of any table holds the number, nor a hash of
it (or of a request carrying it) that anyone without the server's secret could compute."""

from __future__ import annotations

import hashlib
import json

import httpx
from sqlalchemy import create_engine, inspect, text

ID_NUMBER = "11010519491231002X"


def unkeyed(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def test_no_unkeyed_hash_of_an_id_number_is_stored(server_factory, db_url):
    srv = server_factory(db_url)
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        r = c.post(
            "/api/halls/demo/tickets",
            headers=kiosk | {"Idempotency-Key": "k-1"},
            json={"services": ["tax-general"], "id_card": {"id_number": ID_NUMBER, "name": "张三"}},
        )
        assert r.status_code == 201, r.text
        again = c.post(
            "/api/halls/demo/tickets",
            headers=kiosk | {"Idempotency-Key": "k-1"},
            json={"services": ["tax-general"], "id_card": {"id_number": ID_NUMBER, "name": "张三"}},
        )
        assert again.status_code == 200 and again.json()["number"] == r.json()["number"]
        other = c.post(
            "/api/halls/demo/tickets",
            headers=kiosk | {"Idempotency-Key": "k-1"},
            json={"services": ["tax-general"], "id_card": {"id_number": "110105194912310037", "name": "张三"}},
        )
        assert other.status_code == 409
    guessable = {
        unkeyed({"services": ["tax-general"], "priority": None, "appointment": None, "id": ID_NUMBER}),
        hashlib.sha256(ID_NUMBER.encode()).hexdigest(),
        hashlib.sha256(ID_NUMBER.lower().encode()).hexdigest(),
    }
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    cells = 0
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    cells += 1
                    s = str(value)
                    assert ID_NUMBER not in s.upper(), table
                    assert not any(h in s for h in guessable), table
    engine.dispose()
    assert cells > 100
