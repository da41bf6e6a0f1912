"""The page views built in this process, kept per data version and shared by every run and session.

A view is kept as built, never copied (pages only read views: tests/test_shared_views.py). For each view (a builder
and its arguments) only the newest versions are kept: once a load is published, the view of the version before is
needed only by the runs still reading the copy before, and an older one by none, so a day of loads does not pile
up views nobody can ask for. Past `most` views the least recently used goes. Two runs asking for the same view at
once build it once; different views build side by side.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

VERSIONS_KEPT = 2  # the newest version, and the one before for the runs still reading its copy


class ViewCache:
    def __init__(self, most: int = 1000) -> None:
        self.most = most
        self._views: OrderedDict[tuple[str, str], Any] = OrderedDict()  # (key, version) -> view, oldest use first
        self._versions: dict[str, list[str]] = {}  # key -> its kept versions, oldest first
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str], threading.Lock] = {}

    def get(self, version: str, key: str, build: Callable[[], Any]) -> Any:
        """The view `key` of data version `version`, built by build() when it is not kept."""
        slot = (key, version)
        with self._lock:
            if slot in self._views:
                self._views.move_to_end(slot)
                return self._views[slot]
            building = self._building.setdefault(slot, threading.Lock())
        with building:
            with self._lock:
                if slot in self._views:  # built by the run that held the lock
                    self._views.move_to_end(slot)
                    return self._views[slot]
            try:
                view = build()
            finally:
                with self._lock:
                    self._building.pop(slot, None)
            with self._lock:
                self._keep(key, version, view)
            return view

    def _keep(self, key: str, version: str, view: Any) -> None:
        versions = self._versions.setdefault(key, [])
        if version in versions:
            versions.remove(version)
        versions.append(version)
        while len(versions) > VERSIONS_KEPT:
            self._views.pop((key, versions.pop(0)), None)
        self._views[(key, version)] = view
        while len(self._views) > self.most:
            (old_key, old_version), _ = self._views.popitem(last=False)
            kept = self._versions.get(old_key, [])
            if old_version in kept:
                kept.remove(old_version)
            if not kept:
                self._versions.pop(old_key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._views)

    def clear(self) -> None:
        with self._lock:
            self._views.clear()
            self._versions.clear()
