"""Can this machine render images? Chromium (kaleido's browser) and a CJK font, named by Debian package."""

from __future__ import annotations

import os
import shutil
import subprocess

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> str | None:
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if os.path.exists(configured) else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    result = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(result.stdout.strip())


def export_problems() -> list[str]:
    """Chinese messages, one per missing piece, naming what to install; empty when export can work."""
    problems = []
    if chromium_path() is None:
        where = f" (BROWSER_PATH={os.environ['BROWSER_PATH']} 不存在)" if os.environ.get("BROWSER_PATH") else ""
        problems.append(f"未找到 Chromium 浏览器{where}: 请安装 Debian 软件包 chromium (apt-get install chromium)")
    if not has_cjk_font():
        problems.append("未找到中文字体, 导出的中文会显示为方框: 请安装 fonts-wqy-microhei "
                        "(apt-get install fonts-wqy-microhei)")
    return problems
