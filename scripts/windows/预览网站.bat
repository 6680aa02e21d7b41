@echo off
chcp 65001 >nul
rem Preview the site on Windows: creates .venv on first run, then serves http://127.0.0.1:8000
rem The engine is DJ_ENGINE (mkdocs, properdocs, zensical), else extra.dangjian.engine in mkdocs.yml.
rem DJ_WHEELHOUSE=<folder> installs offline from a wheelhouse made by scripts/wheelhouse.py.
rem No English end-of-life banners from the theme or ProperDocs.
set NO_MKDOCS_2_WARNING=true
set DISABLE_MKDOCS_2_WARNING=true
cd /d "%~dp0..\.."
if not exist .venv\Scripts\python.exe (
  echo 首次运行：正在安装，请稍候……
  py -3.11 -m venv .venv || python -m venv .venv
  if defined DJ_WHEELHOUSE (
    .venv\Scripts\python -m pip install --require-hashes --no-index --find-links "%DJ_WHEELHOUSE%" -r requirements.txt
  ) else (
    .venv\Scripts\python -m pip install --require-hashes -r requirements.txt
  )
)
echo 正在启动预览，请用浏览器打开 http://127.0.0.1:8000 ，关闭本窗口即停止预览。
.venv\Scripts\python scripts\generate.py serve -a 127.0.0.1:8000
pause
