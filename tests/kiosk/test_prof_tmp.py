import time
from tests.support import live
def test_closed(window, tmp_path):
    t=time.monotonic()
    url = f"sqlite:///{tmp_path / 'hallq.db'}"
    tokens = live.prepare(url)
    print("prepare", time.monotonic()-t); t=time.monotonic()
    srv = live.LiveServer(db_url=url, data_dir=tmp_path).start()
    print("start", time.monotonic()-t)
    srv.stop()
def test_closed2(tmp_path):
    t=time.monotonic()
    url = f"sqlite:///{tmp_path / 'hallq.db'}"
    tokens = live.prepare(url)
    print("prepare", time.monotonic()-t); t=time.monotonic()
    srv = live.LiveServer(db_url=url, data_dir=tmp_path).start()
    print("start", time.monotonic()-t)
    srv.stop()
