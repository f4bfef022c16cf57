"""The browser front end of the app, made available without an internet connection.

Solara's pages load their JavaScript and CSS (the Vue/Vuetify application, RequireJS,
Font Awesome) through the server's ``/_solara/cdn/`` route, which serves them from a
local cache and otherwise downloads them from a public CDN. A workshop room (or a test
machine) may have no internet, so :func:`ensure_assets` fills that cache beforehand from
the npm registry, with ``npm pack``: the files are those of the very npm packages the
CDN would serve.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

_CDN_REF = re.compile(r"\{\{\s*cdn\s*\}\}/((?:@[\w.-]+/)?[\w.-]+)@(\d+\.\d+\.\d+[\w.+-]*)/")


def required_packages() -> list[tuple[str, str]]:
    """The npm packages (name, version) that Solara's page template loads."""
    import solara.server.server as solara_server
    import solara.server.settings as solara_settings

    template = Path(solara_server.__file__).parent / "templates" / "solara.html.j2"
    found = set(_CDN_REF.findall(template.read_text(encoding="utf-8")))
    app = "@widgetti/solara-vuetify3-app" if solara_server.vue3 else "@widgetti/solara-vuetify-app"
    other_app = (
        "@widgetti/solara-vuetify-app" if solara_server.vue3 else "@widgetti/solara-vuetify3-app"
    )
    packages = {(n, v) for n, v in found if n != other_app}
    if not any(n == app for n, _ in packages):  # pragma: no cover - a template we do not know
        return []
    if solara_settings.assets.fontawesome_enabled:
        match = re.match(
            r"/?((?:@[\w.-]+/)?[\w.-]+)@([\w.+-]+)/", solara_settings.assets.fontawesome_path
        )
        if match:
            packages.add((match.group(1), match.group(2)))
    return sorted(packages)


def cache_dir() -> Path:
    """Where the server looks for front-end files (made writable if it is not)."""
    import solara.server.settings as solara_settings

    path = Path(solara_settings.assets.proxy_cache_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
        if os.access(path, os.W_OK):
            return path
    except OSError:
        pass
    fallback = (
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        / "consortium-sim"
        / "solara-cdn"
    )
    fallback.mkdir(parents=True, exist_ok=True)
    solara_settings.assets.proxy_cache_dir = fallback
    return fallback


def missing_packages() -> list[tuple[str, str]]:
    """Required packages not yet in the cache."""
    root = cache_dir()
    return [
        (n, v) for n, v in required_packages() if not (root / f"{n}@{v}" / "package.json").is_file()
    ]


def _unpack(tgz: Path, target: Path) -> None:
    """Unpack an npm tarball (its files sit under ``package/``) into ``target``."""
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".unpack-"))
    try:
        with tarfile.open(tgz, "r:gz") as tar:
            tar.extractall(staging, filter="data")
        inner = staging / "package"
        if not inner.is_dir():
            inner = next(p for p in staging.iterdir() if p.is_dir())
        if target.exists():
            shutil.rmtree(target)
        inner.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def ensure_assets(timeout: float = 600) -> list[str]:
    """Fetch any missing front-end package into the server's cache.

    Returns:
        One line per problem (empty when everything is in place). Problems are not
        fatal: with an internet connection the server still fetches files itself.
    """
    missing = missing_packages()
    if not missing:
        return []
    npm = shutil.which("npm")
    if npm is None:
        return [
            "npm was not found, so the browser front end "
            f"({', '.join(f'{n}@{v}' for n, v in missing)}) will be loaded from the internet"
        ]
    root = cache_dir()
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="consim-assets-") as tmp:
        for name, version in missing:
            spec = f"{name}@{version}"
            try:
                done = subprocess.run(
                    [npm, "pack", spec, "--pack-destination", tmp, "--silent"],
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                problems.append(f"could not fetch {spec} with npm: {exc}")
                continue
            tgz = Path(tmp) / (done.stdout.strip().splitlines() or [""])[-1]
            if done.returncode != 0 or not tgz.is_file():
                detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
                problems.append(f"could not fetch {spec} with npm: {detail[0]}")
                continue
            target = root / spec
            target.parent.mkdir(parents=True, exist_ok=True)
            _unpack(tgz, target)
    return problems
