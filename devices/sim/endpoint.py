"""Where a simulator listens: a pseudo-terminal (the driver opens its path like a serial port) or a
TCP port. A simulator turns received bytes into reply bytes; an endpoint moves them in a thread."""

from __future__ import annotations

import os
import select
import socket
import threading
import tty


class Simulator:
    """Base of the device simulators: subclasses implement `handle`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.endpoints: list[Endpoint] = []

    def handle(self, data: bytes) -> bytes:
        """Consume bytes from the host; return the bytes to send back."""
        raise NotImplementedError

    def start_pty(self) -> PtyEndpoint:
        endpoint = PtyEndpoint(self)
        self.endpoints.append(endpoint)
        return endpoint

    def start_tcp(self, port: int = 0, host: str = "127.0.0.1") -> TcpEndpoint:
        endpoint = TcpEndpoint(self, host, port)
        self.endpoints.append(endpoint)
        return endpoint

    def stop(self) -> None:
        """Stop every endpoint this simulator was started on."""
        while self.endpoints:
            self.endpoints.pop().stop()

    def _serve(self, data: bytes) -> bytes:
        with self.lock:
            return self.handle(data)


class Endpoint:
    def __init__(self, simulator: Simulator):
        self.simulator = simulator
        self._stop_r, stop_w = os.pipe()
        self._stop_w: int | None = stop_w  # None once stopped
        self._thread = threading.Thread(target=self._run, name=type(simulator).__name__, daemon=True)

    def _start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._stop_w is None:
            return
        os.write(self._stop_w, b"x")
        self._thread.join(timeout=5)
        os.close(self._stop_w)
        os.close(self._stop_r)
        self._stop_w = None
        self._close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _run(self) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        pass


class PtyEndpoint(Endpoint):
    def __init__(self, simulator: Simulator):
        super().__init__(simulator)
        self._master, self._slave = os.openpty()
        # Raw mode before the host opens it, so nothing is echoed or translated; keeping our own
        # slave descriptor open means the host can close and reopen the port without EIO here.
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._start()

    def url(self, scheme: str) -> str:
        return f"{scheme}://{self.path}"

    def _run(self) -> None:
        while True:
            ready, _, _ = select.select([self._master, self._stop_r], [], [])
            if self._stop_r in ready:
                return
            try:
                data = os.read(self._master, 65536)
            except OSError:
                return
            reply = self.simulator._serve(data)
            if reply:
                os.write(self._master, reply)

    def _close(self) -> None:
        os.close(self._master)
        os.close(self._slave)


class TcpEndpoint(Endpoint):
    """Serves one client at a time, like a serial-to-Ethernet converter."""

    def __init__(self, simulator: Simulator, host: str, port: int):
        super().__init__(simulator)
        self._listener = socket.create_server((host, port))
        self.host, self.port = self._listener.getsockname()[:2]
        self._start()

    def url(self, scheme: str) -> str:
        return f"{scheme}://{self.host}:{self.port}"

    def _run(self) -> None:
        client: socket.socket | None = None
        try:
            while True:
                watched: list[int | socket.socket] = [self._stop_r, client or self._listener]
                ready, _, _ = select.select(watched, [], [])
                if self._stop_r in ready:
                    return
                if client is None:
                    client, _ = self._listener.accept()
                    continue
                try:
                    data = client.recv(65536)
                    if data:
                        reply = self.simulator._serve(data)
                        if reply:
                            client.sendall(reply)
                        continue
                except OSError:
                    pass
                client.close()
                client = None
        finally:
            if client is not None:
                client.close()

    def _close(self) -> None:
        self._listener.close()
