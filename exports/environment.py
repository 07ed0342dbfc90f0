"""Can this machine render images? Chromium (kaleido's browser) and a CJK font, named by Debian package."""

from __future__ import annotations

import os
import shutil
import subprocess

from data_access import settings

# Names kaleido/choreographer look for on PATH (BROWSER_PATH overrides them, as it does for kaleido).
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> str | None:
    """The browser kaleido will start, or None when there is none."""
    configured = settings.value("BROWSER_PATH")
    if configured:
        return configured if os.path.isfile(configured) and os.access(configured, os.X_OK) else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def has_cjk_font() -> bool:
    """True when fontconfig knows a font covering Chinese (what Chromium falls back to for 汉字)."""
    if not shutil.which("fc-list"):
        return False
    result = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(result.stdout.strip())


def check_export_environment() -> list[str]:
    """Chinese messages, one per missing piece, naming the Debian package; empty when export can work."""
    problems = []
    if chromium_path() is None:
        configured = settings.value("BROWSER_PATH")
        where = f" (BROWSER_PATH={configured} 不存在或不可执行)" if configured else ""
        problems.append(f"未找到 Chromium 浏览器{where}: 请安装 Debian 软件包 chromium (apt-get install chromium)")
    if not has_cjk_font():
        problems.append("未找到中文字体, 导出的中文会显示为方框: 请安装 Debian 软件包 fonts-wqy-microhei "
                        "(apt-get install fonts-wqy-microhei)")
    return problems
