from __future__ import annotations

from datetime import datetime

import pytest

from devices import Ticket


@pytest.fixture
def ticket() -> Ticket:
    return Ticket(
        hall_name="新都区政务服务中心",
        number="A012",
        matters=["城乡居民基本养老保险参保登记", "不动产登记（二手房转移）"],
        ahead=5,
        eta_minutes=15,
        issued_at=datetime(2026, 11, 25, 9, 31),
        area="二楼 B区 社保窗口",
        status_url="https://hall.example.cn/t/7f3a9c2e41",
        notice="请留意叫号：过号请到服务台（一楼）重新排队。",
    )
