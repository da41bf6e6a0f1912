"""The page views kept in a serving process (ui.view_cache): built once per data version and shared, only the
newest versions of each view kept, the least recently used dropped past the limit, one build for runs asking at once."""

from __future__ import annotations

import threading

import pytest

from ui.view_cache import VERSIONS_KEPT, ViewCache


class Builds:
    """A builder that counts its calls and makes a new object each time."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, version: str, key: str):
        def build() -> dict[str, str]:
            self.calls.append((version, key))
            return {"version": version, "key": key}
        return build


def test_a_view_is_built_once_per_version_and_handed_out_as_built():
    cache, builds = ViewCache(), Builds()
    first = cache.get("v1", "overview", builds("v1", "overview"))
    assert cache.get("v1", "overview", builds("v1", "overview")) is first
    second = cache.get("v2", "overview", builds("v2", "overview"))
    assert second == {"version": "v2", "key": "overview"} and second is not first
    assert builds.calls == [("v1", "overview"), ("v2", "overview")]


def test_only_the_newest_versions_of_a_view_are_kept():
    assert VERSIONS_KEPT == 2
    cache, builds = ViewCache(), Builds()
    for version in ("v1", "v2", "v3"):
        cache.get(version, "asb", builds(version, "asb"))
    cache.get("v1", "crime", builds("v1", "crime"))  # another view's versions are its own
    assert len(cache) == 3  # asb v2 and v3, crime v1
    cache.get("v3", "asb", builds("v3", "asb"))
    cache.get("v2", "asb", builds("v2", "asb"))
    assert builds.calls == [("v1", "asb"), ("v2", "asb"), ("v3", "asb"), ("v1", "crime")]
    cache.get("v1", "asb", builds("v1", "asb"))  # gone: built again, and now the oldest kept (v2) goes
    assert builds.calls[-1] == ("v1", "asb")
    cache.get("v3", "asb", builds("v3", "asb"))
    cache.get("v2", "asb", builds("v2", "asb"))
    assert builds.calls[-1] == ("v2", "asb") and len(builds.calls) == 6


def test_past_the_limit_the_least_recently_used_view_goes():
    cache, builds = ViewCache(most=3), Builds()
    for key in ("a", "b", "c"):
        cache.get("v1", key, builds("v1", key))
    cache.get("v1", "a", builds("v1", "a"))  # a used again: b is now the least recently used
    cache.get("v1", "d", builds("v1", "d"))
    assert len(cache) == 3
    cache.get("v1", "a", builds("v1", "a"))
    cache.get("v1", "c", builds("v1", "c"))
    assert builds.calls == [("v1", "a"), ("v1", "b"), ("v1", "c"), ("v1", "d")]
    cache.get("v1", "b", builds("v1", "b"))
    assert builds.calls[-1] == ("v1", "b")


def test_a_failed_build_is_not_kept():
    cache, calls = ViewCache(), []

    def failing() -> None:
        calls.append(1)
        raise ValueError("the copy was removed")

    for _ in range(2):
        with pytest.raises(ValueError, match="the copy was removed"):
            cache.get("v1", "data", failing)
    assert len(calls) == 2 and len(cache) == 0
    assert cache.get("v1", "data", lambda: "built") == "built"


def test_runs_asking_at_once_build_a_view_once_and_other_views_build_meanwhile():
    cache = ViewCache()
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow() -> str:
        calls.append("slow")
        started.set()
        assert release.wait(10)
        return "districts view"

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("v1", "districts", slow))) for _ in range(4)]
    threads[0].start()
    assert started.wait(10)
    for t in threads[1:]:
        t.start()
    # while the Districts view is being built, another view is built and handed out
    assert cache.get("v1", "overview", lambda: "overview view") == "overview view"
    release.set()
    for t in threads:
        t.join(10)
    assert results == ["districts view"] * 4 and calls == ["slow"]
