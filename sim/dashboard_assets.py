"""The dashboard's browser app files, cached so that the page runs with no Internet.

Solara's browser app loads its JavaScript from a CDN path that the server proxies to the
Internet. ``fetch_web_assets`` fills that path's cache from the npm registry once, so that the
dashboard also runs with no Internet (``make test`` does this, through ``python -m sim.app``;
so does ``relocsim dashboard``).
"""

import importlib.metadata
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import solara


def web_assets() -> list[str]:
    """The npm packages (``name@version``) the page loads through Solara's CDN path.

    Read from the installed Solara (its page template and its draggable grid), so that the
    list follows Solara's versions.
    """
    root = Path(solara.__file__).parent
    vue3 = importlib.metadata.version("ipyvue").startswith("3")
    texts = [
        (root / "server" / "templates" / "solara.html.j2").read_text(),
        (root / "widgets" / "vue" / "gridlayout.vue").read_text(),
    ]
    import solara.server.settings as server_settings

    texts.append("{{cdn}}" + server_settings.assets.fontawesome_path)
    pattern = r"(?:\{\{cdn\}\}|getCdn\(\)\})/((?:@[\w.-]+/)?[\w.-]+@\d[\w.-]*)/"
    found = sorted({m for text in texts for m in re.findall(pattern, text)})
    # The template names the Vue 2 and the Vue 3 app; the browser loads the one of ipyvue.
    return [a for a in found if "solara-vuetify" not in a or ("vuetify3" in a) == vue3]


def web_asset_cache() -> Path:
    """Where Solara's server looks for CDN files before it asks the Internet."""
    import solara.server.settings as server_settings

    return Path(server_settings.assets.proxy_cache_dir)


def missing_web_assets() -> list[str]:
    """``web_assets()`` not yet in the cache."""
    cache = web_asset_cache()
    return [a for a in web_assets() if not (cache / a / "package.json").is_file()]


def fetch_web_assets() -> list[str]:
    """Put the missing browser files into Solara's cache with ``npm pack``; return their names.

    Raises:
        RuntimeError: If npm is not installed or a package cannot be fetched.
    """
    missing = missing_web_assets()
    if not missing:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed (Debian: apt-get install npm)")
    cache = web_asset_cache()
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", "--json", "--silent", *missing],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm pack failed: {done.stderr.strip()[-500:]}")
        for info in json.loads(done.stdout):
            target = cache / f"{info['name']}@{info['version']}"
            unpacked = Path(tmp) / "unpacked"
            with tarfile.open(Path(tmp) / info["filename"]) as tar:
                tar.extractall(unpacked, filter="data")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            shutil.move(unpacked / "package", target)
            shutil.rmtree(unpacked)
    return missing
