"""Work shared among child processes: one share each, its result sent back over a pipe, then the child ends.

Children come from a forkserver (never a fork of a process that runs threads) and end when their share is sent,
so a parent killed meanwhile leaves nothing waiting for work; the parent reaps every child it started, killing
one that does not end within seconds.
"""

from __future__ import annotations

import multiprocessing
from typing import Callable


def run_in_children(target: Callable, shares: list[tuple], *, name: str, receive: Callable | None = None,
                    preload: tuple[str, ...] = ()) -> list:
    """``target(*share, send)`` in a child for each share; the results in order. ``receive(connection)`` reads
    one child's result (default: ``recv``, an ended child without a result an error)."""
    context = multiprocessing.get_context("forkserver")
    if preload:
        context.set_forkserver_preload(list(preload))
    children = []
    try:
        for share in shares:
            connection, send = context.Pipe(duplex=False)
            child = context.Process(target=target, args=(*share, send), name=name)
            child.start()
            send.close()
            children.append((child, connection))
        return [(receive or _recv)(connection) for _, connection in children]
    finally:
        for child, connection in children:
            connection.close()
            child.join(5)
            if child.is_alive():
                child.kill()
                child.join()


def _recv(connection):
    try:
        return connection.recv()
    except EOFError:
        raise RuntimeError("a child process ended without its result") from None
