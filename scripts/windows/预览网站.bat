@echo off
chcp 65001 >nul
rem Preview the site on Windows: creates .venv on first run, then serves http://127.0.0.1:8000
cd /d "%~dp0..\.."
if not exist .venv\Scripts\python.exe (
  echo 首次运行：正在安装，请稍候……
  py -3.11 -m venv .venv || python -m venv .venv
  .venv\Scripts\python -m pip install -r requirements.txt
)
echo 正在启动预览，请用浏览器打开 http://127.0.0.1:8000 ，关闭本窗口即停止预览。
.venv\Scripts\mkdocs serve --dirty -a 127.0.0.1:8000
pause
