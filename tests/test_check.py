"""The review gate (scripts/check.py): every rule fires on a positive example and
stays silent on a near miss; every output format parses; CI templates call the
commands the README names."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, brand_text, doc_text, make_project

from dangjian.checks import FORMATS, run_check
from dangjian.checks.content import FileCheck, id_card_valid, luhn_valid, mask
from dangjian.checks.wording import load_rules

RULES, RULE_ERRORS = load_rules(REPO / "rules" / "wording.yml", "rules/wording.yml")

# rule name → (a line that must fire, a near miss that must not)
WORDING_CASES = {
    "文号括号": ("根据明财发[2025]12号文件要求", "根据明财发〔2025〕12号文件要求，于（2025年）3月完成"),
    "中国特色社会主义": ("坚持和发展中国特色社会主意", "坚持和发展中国特色社会主义"),
    "三会一课": ("严格落实三会一会制度", "严格落实三会一课制度，每月一会"),
    "两学一做": ("推进两学一作学习教育常态化", "推进两学一做学习教育常态化"),
    "不忘初心": ("不忘初衷、牢记使命", "不忘初心、牢记使命，不改初衷"),
    "两个维护": ("坚决做到两个拥护", "坚决做到两个维护，拥护党的领导"),
    "二十大精神": ("深入学习贯彻党的十九大精神", "党的十九大以来，我们深入学习贯彻党的二十大精神"),
    "全面建成小康社会": ("为决胜全面建成小康社会贡献力量", "我国已全面建成小康社会"),
    "新冠病毒感染": ("新冠肺炎疫情防控期间", "新冠病毒感染疫情防控期间"),
}


def check(text: str, rel_path: str = "docs/page.md", **kwargs):
    return FileCheck(rel_path, text, RULES, **kwargs).run()


def codes(problems) -> list[str]:
    return [p.rule or p.code for p in problems]


def test_rules_file_loads_and_every_rule_has_a_case():
    assert RULE_ERRORS == []
    assert {r.name for r in RULES} == set(WORDING_CASES)


@pytest.mark.parametrize("name", sorted(WORDING_CASES))
def test_wording_rule_fires_and_near_miss_is_silent(name):
    positive, near_miss = WORDING_CASES[name]
    assert name in codes(check(positive + "。\n"))
    assert name not in codes(check(near_miss + "。\n"))


def test_wording_skips_code_urls_and_honours_the_ignore_marker():
    text = ("```\n三会一会\n```\n\n    三会一会 in indented code\n\n"
            "见 `三会一会` 与 [链接](https://oa.example/三会一会) 和 http://x.example/三会一会\n"
            "三会一会 <!-- check:ignore 三会一课 -->\n"
            "<!-- check:ignore 三会一课 -->\n三会一会\n"
            "三会一会 <!-- check:ignore 两学一做 -->\n")
    problems = [p for p in check(text) if p.rule == "三会一课"]
    assert [p.line for p in problems] == [11]


def test_indented_list_continuation_is_still_prose():
    assert "三会一课" in codes(check("- 第一项\n\n    三会一会，列表中的续行\n"))


def test_rules_file_mistakes_are_reported_in_chinese(tmp_path):
    path = tmp_path / "wording.yml"
    path.write_text("- name: 坏规则\n  regex: '(未闭合'\n  suggestion: x\n- name: 缺建议\n  pattern: y\n- name: 多字段\n  pattern: z\n  suggestion: z\n  colour: red\n", encoding="utf-8")
    rules, problems = load_rules(path, "rules/wording.yml")
    assert rules == []
    assert [p.line for p in problems] == [1, 4, 6]
    assert "正则表达式有误" in problems[0].message


# ---------------------------------------------------------------- personal information

VALID_ID = "11010519491231002X"
VALID_CARD = "6222020200000000006"  # 19 digits, Luhn-valid


def test_checksums():
    assert id_card_valid(VALID_ID) and not id_card_valid("110105194912310021")
    assert luhn_valid(VALID_CARD) and not luhn_valid("6222020200000000008")
    assert mask("13812345678") == "138****5678"


@pytest.mark.parametrize("positive,near_miss,code", [
    (f"身份证号 {VALID_ID}", "编号 110105194912310021（校验位不符）", "身份证号"),
    ("联系电话 13812345678", "联系电话 138****5678，座机 0571-12345678，编号 123812345678", "手机号"),
    (f"工资卡 {VALID_CARD}", "流水号 6222020200000000008", "银行卡号"),
    ("工资卡 6222 0202 0000 0000 006", "工资卡 6222 0202 0000 0000 008", "银行卡号"),
])
def test_personal_information_fires_masked_and_near_miss_is_silent(positive, near_miss, code):
    problems = [p for p in check(positive + "\n") if p.rule == code]
    assert len(problems) == 1 and problems[0].severity.value == "error"
    digits = re.sub(r"\D", "", positive)
    for p in problems:
        assert digits not in re.sub(r"\D", "", p.message + (p.excerpt or "") + p.fix)
        assert "*" in p.excerpt
    assert code not in codes(check(near_miss + "\n"))


def test_personal_information_in_front_matter_is_found():
    problems = check("---\ntitle: 示例\ncontact: 13912345678\n---\n\n正文\n")
    assert [(p.rule, p.code, p.line) for p in problems] == [("手机号", "mobile-number", 3)]


# ---------------------------------------------------------------- HTML, resources, alt text

@pytest.mark.parametrize("positive,near_miss,code", [
    ("<script>alert(1)</script>", "文中写到 script 一词和 &lt;script&gt;", "不安全代码"),
    ('<iframe src="video.html"></iframe>', "iframe 与 object 只是文字", "不安全代码"),
    ("<object data=x.swf></object>", "<div>object</div>", "不安全代码"),
    ("<style>body{}</style>", '<span class="style">x</span>', "不安全代码"),
    ('<img src="a.png" alt="x" onerror="alert(1)">', '<img src="a.png" alt="one error">', "不安全代码"),
    ('<a href="javascript:alert(1)">点</a>', '<a href="../a/index.md">javascript: 教程</a>', "不安全代码"),
    ("[点](javascript:alert(1))", "[javascript 教程](guide.md)", "不安全代码"),
    ("![图](https://cdn.example.com/a.png)", "![图](a.png) 来源 https://cdn.example.com", "外部资源"),
    ('<img src="//cdn.example.com/a.png" alt="x">', '<img src="img/cdn.png" alt="x">', "外部资源"),
    ('<link rel="stylesheet" href="https://cdn.example.com/a.css">', "<p>stylesheet</p>", "外部资源"),
    ('<embed src="http://x.example/a.swf">', "embed 一词", "外部资源"),
    ("[百度](https://www.baidu.com/)", "[办公系统](http://oa.minghu.intranet/x)", "外部链接"),
    ("![](photo.jpg)", "![主题党日](photo.jpg)", "图片说明"),
    ('<img src="photo.jpg">', '<img src="photo.jpg" alt="主题党日">', "图片说明"),
])
def test_html_resource_and_alt_rules(positive, near_miss, code):
    hosts = ("oa.minghu.intranet",)
    assert code in codes(check(positive + "\n", intranet_hosts=hosts))
    assert code not in codes(check(near_miss + "\n", intranet_hosts=hosts))


def test_html_rules_skip_code_blocks():
    assert check("```html\n<script src=\"https://x.example/a.js\"></script>\n```\n") == []


# ---------------------------------------------------------------- whole project, links, formats

GOOD_DOC = doc_text({"title": "学习资料", "date": "2026-01-01"}, "## 正文 {#zhengwen}\n\n见[品牌](../brands/hong-xin/index.md#pin-pai)和[办公系统](http://oa.minghu.intranet/a)。\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(
        tmp_path_factory.mktemp("check") / "p",
        brands={
            "hong-xin": brand_text(tags=["先锋岗"]).replace("## 品牌内涵", "## 品牌内涵 {#pin-pai}")
            + "\n见[指南](../../guide/page.md#zhengwen)、[单位](../../units/index.md)、[标签](../../tags/xian-feng-gang.md)。\n",
            "bad-links": brand_text(title="坏链接", tags=None)
            + "\n[无此页](../nope/index.md) [锚点](../hong-xin/index.md#nothere) [目录](../hong-xin/)\n"
            + "联系 13812345678\n",
        },
        docs={"guide/page.md": GOOD_DOC, "guide/other.md": "# 其它\n\n[坏](page.md#nothere)\n"},
        extra_config={"extra": {"dangjian": {"intranet_hosts": ["oa.minghu.intranet"]}}},
    )
    shutil.copytree(REPO / "rules", root / "rules")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "add", "."], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"], cwd=root, check=True)
    return root


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scripts" / "check.py"), "--root", str(root), *args],
                          capture_output=True, text=True, encoding="utf-8", cwd=root)


def test_links_resolved_against_published_pages(project):
    problems = run_check(project)
    links = sorted((p.path, p.line) for p in problems if p.code == "broken-link")
    bad = "brands/bad-links/index.md"
    assert [p for p in links if p[0] == "brands/hong-xin/index.md"] == []
    assert [path for path, _ in links].count(bad) == 3
    assert ("docs/guide/other.md", 3) in links
    assert not [p for p in problems if p.path == "docs/guide/page.md"]
    assert not [p for p in problems if p.path == "mkdocs.yml"]  # intranet_hosts is a declared setting
    assert "外部链接" in codes(check("[办公系统](http://oa.minghu.intranet/a)\n"))  # allowed only when configured


def test_front_matter_validation_is_the_builds(project):
    (project / "brands" / "typo").mkdir(exist_ok=True)
    (project / "brands" / "typo" / "index.md").write_text(brand_text(unit="市财政", tags=None), encoding="utf-8")
    try:
        problems = run_check(project, {"brands/typo"})
        assert [p.code for p in problems] == ["unknown-unit"]
        assert "市财政局" in problems[0].fix
    finally:
        shutil.rmtree(project / "brands" / "typo")


VERDICT_FAIL = re.compile(r"^不通过：(\d+) 个错误、(\d+) 个警告（涉及 (\d+) 个文件），改正错误后才能合并发布。$")


def expected_counts(project) -> tuple[int, int]:
    problems = run_check(project)
    return (sum(p.severity.value == "error" for p in problems), sum(p.severity.value == "warning" for p in problems))


def test_human_format_and_exit_status(project):
    done = cli(project)
    assert done.returncode == 1
    out = done.stdout
    assert "brands/bad-links/index.md\n" in out
    assert re.search(r"^\s+\d+:\d+\s+错误\s+【手机号】发现未打码的手机号", out, re.M)
    assert re.search(r"^\s+\d+:\d+\s+错误\s+【站内链接】链接", out, re.M)
    assert "13812345678" not in out and "138****5678" in out
    errors, warnings = expected_counts(project)
    assert f"共 {errors} 个错误、{warnings} 个警告，涉及" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("审核结论：") and VERDICT_FAIL.match(last.removeprefix("审核结论："))
    clean = cli(project, "docs/guide/page.md")
    assert clean.returncode == 0 and clean.stdout.strip() == "审核结论：通过：没有发现问题，可以合并。"


def test_human_format_names_the_field_and_its_title(project):
    (project / "brands" / "typo").mkdir(exist_ok=True)
    (project / "brands" / "typo" / "index.md").write_text(brand_text(date="明天", tags=None), encoding="utf-8")
    try:
        out = cli(project, "brands/typo", "--format", "github").stdout
        line = next(line for line in out.splitlines() if "wrong-type" in line)
        assert "title=字段类型不对（字段 date） [wrong-type]::字段“date”：应为日期（年-月-日）" in line
        human = cli(project, "brands/typo").stdout
        assert "【字段类型不对】字段“date”：应为日期（年-月-日），这里写的是 “明天”。" in human
    finally:
        shutil.rmtree(project / "brands" / "typo")


def test_github_format_parses(project):
    out = cli(project, "--format", "github").stdout.splitlines()
    pattern = re.compile(r"^::(error|warning|notice) file=([^,]+),line=(\d+)(?:,col=(\d+))?,title=([^:]+)::(.+)$")
    parsed = [pattern.match(line) for line in out[:-1]]
    assert parsed and all(parsed), out
    assert ("error", "brands/bad-links/index.md") in {(m.group(1), m.group(2)) for m in parsed}
    titles = {m.group(5) for m in parsed}
    assert "手机号 [mobile-number]" in titles and "站内链接 [broken-link]" in titles
    assert all(re.search(r"[\u4e00-\u9fff]", t) for t in titles)  # Chinese titles, not bare English codes
    verdict_line = re.match(r"^::notice title=审核结论::(.+)$", out[-1])
    assert verdict_line and VERDICT_FAIL.match(verdict_line.group(1))
    errors, warnings = expected_counts(project)
    assert [int(n) for n in VERDICT_FAIL.match(verdict_line.group(1)).groups()[:2]] == [errors, warnings]
    assert sum(m.group(1) == "error" for m in parsed) == errors


def test_gitlab_format_parses(project):
    items = json.loads(cli(project, "--format", "gitlab").stdout)
    assert items and all({"description", "check_name", "fingerprint", "severity", "location"} <= set(i) for i in items)
    assert all(i["severity"] in {"info", "minor", "major", "critical", "blocker"} for i in items)
    assert len({i["fingerprint"] for i in items}) == len(items)
    assert all(isinstance(i["location"]["lines"]["begin"], int) for i in items)
    verdict, *rest = items
    assert verdict["check_name"] == "verdict" and VERDICT_FAIL.match(verdict["description"].removeprefix("审核结论："))
    assert any(i["check_name"] == "mobile-number" and i["description"].startswith("【手机号】发现未打码的手机号") for i in rest)
    errors, _ = expected_counts(project)
    assert sum(i["severity"] == "major" for i in rest) == errors


def test_json_format_parses(project):
    data = json.loads(cli(project, "--format", "json").stdout)
    errors, warnings = expected_counts(project)
    assert data["errors"] == sum(p["severity"] == "error" for p in data["problems"]) == errors > 0
    assert data["warnings"] == sum(p["severity"] == "warning" for p in data["problems"]) == warnings
    assert data["passed"] is False and VERDICT_FAIL.match(data["verdict"])
    assert all(re.fullmatch(r"[a-z][a-z-]*", p["code"]) for p in data["problems"])  # one kind of code
    assert all(p["title"] == data["rules"][p["code"]] or p["code"] == "wording" for p in data["problems"])
    assert data["rules"]["mobile-number"] == "手机号"
    clean = json.loads(cli(project, "docs/guide/page.md", "--format", "json").stdout)
    assert clean == {"verdict": "通过：没有发现问题，可以合并。", "passed": True, "errors": 0, "warnings": 0,
                     "files": 0, "rules": {}, "problems": []}


def test_changed_since_checks_only_changed_files(project):
    assert cli(project, "--changed-since", "HEAD").stdout.strip() == "审核结论：通过：没有发现问题，可以合并。"
    page = project / "docs" / "guide" / "page.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original + "\n三会一会\n", encoding="utf-8")
    try:
        data = json.loads(cli(project, "--changed-since", "HEAD", "--format", "json").stdout)
        assert {p["path"] for p in data["problems"]} == {"docs/guide/page.md"}
    finally:
        page.write_text(original, encoding="utf-8")
    bad = cli(project, "--changed-since", "no-such-ref")
    assert bad.returncode != 0 and "no-such-ref" in bad.stderr and "Traceback" not in bad.stderr


def test_repo_sample_content_passes():
    done = cli(REPO)
    assert done.returncode == 0, done.stdout


# ---------------------------------------------------------------- CI templates

def readme_commands() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def test_ci_templates_are_valid_and_call_the_readme_commands():
    github = yaml.safe_load((REPO / ".github" / "workflows" / "check.yml").read_text(encoding="utf-8"))
    gitlab = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    steps = " ".join(s.get("run", "") for job in github["jobs"].values() for s in job["steps"])
    scripts = " ".join(" ".join(job.get("script", [])) for job in gitlab.values() if isinstance(job, dict))
    readme = readme_commands()
    for command in ("./dev.sh check", "./dev.sh build", "./dev.sh test"):
        assert command in readme
        assert command in steps and command in scripts
    assert any("upload-artifact" in s.get("uses", "") for job in github["jobs"].values() for s in job["steps"])
    assert any("artifacts" in job for job in gitlab.values() if isinstance(job, dict))
    assert "pull_request" in (github.get("on") or github.get(True))


def test_pre_commit_hook_runs_the_check():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [h for repo in config["repos"] for h in repo["hooks"]]
    assert any("scripts/check.py" in h["entry"] and h["language"] in ("system", "python") for h in hooks)


def test_all_formats_registered():
    assert set(FORMATS) == {"human", "github", "gitlab", "json"}


# ---------------------------------------------------------------- writer mistakes: check and strict build agree

def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


LONG = "以党建引领业务发展，" * 13  # 130 characters
MISTAKES = {
    # path: (file text, [(line, message)])
    "brands/quan-jiao/index.md": (
        brand_text(title="全角") + "\n！[活动现场]（photo-1.jpg）\n\n见[指南]（../../guide/page.md）和【照片】（photo-1.jpg）。\n"
        "【通知】（第一期）照常。\n\n[查看原图](photo-1.jpg)\n",
        [(20, "“！[活动现场]（photo-1.jpg）”中用了中文全角符号“！”、“（”、“）”，网页上会原样显示这串文字，不会显示为图片。"),
         (22, "“[指南]（../../guide/page.md）”中用了中文全角符号“（”、“）”，网页上会原样显示这串文字，不会显示为链接。"),
         (22, "“【照片】（photo-1.jpg）”中用了中文全角符号“【”、“】”、“（”、“）”，网页上会原样显示这串文字，不会显示为链接。"),
         (25, "链接“photo-1.jpg”指向原始照片：网站只发布处理过的照片（已去除拍摄地点等信息），不发布原图，读者点开会看到“找不到页面”。")]),
    "docs/models/chang-jian-jie.md": (
        doc_text({"title": "模范", "unit": "市财政局", "year": 2025, "description": LONG, "date": "2026-01-01"}),
        [(5, "简介有 130 个字，超过 120 字的上限（列表卡片和搜索结果只能显示一句话）。")]),
    "docs/study/theory/chang-jian-jie.md": (
        doc_text({"title": "资料", "description": LONG, "date": "2026-01-01"}),
        [(3, "简介有 130 个字，超过 120 字的上限（列表卡片和搜索结果只能显示一句话）。")]),
    "docs/study/theory/wei-jie-shu.md": (
        "---\ntitle: 资料\ndate: 2026-01-01\ndescription: 说明。\n\n## 正文\n\n内容。\n",
        [(1, "front matter 缺少结束的 ---：第 1 行的 --- 开始了信息区，但后面没有单独一行 --- 把它结束。")]),
    "docs/study/theory/zhong-wen-mao-hao.md": (
        "---\ntitle: 资料\ndate：2026-01-01\ndescription: 说明。\n---\n\n内容。\n",
        [(3, "YAML 格式错误：“date：”用了中文冒号“：”，YAML 只认英文冒号。")]),
    "docs/study/theory/zhong-wen-yin-hao.md": (
        "---\ntitle: 资料\ndate: 2026-01-01\ndescription: “学习: 要点”\n---\n\n内容。\n",
        [(4, "YAML 格式错误：中文引号“”不起引号的作用，值里的英文冒号“:”仍被当作“字段: 值”的分隔。")]),
    "docs/study/theory/tab-suo-jin.md": (
        "---\ntitle: 资料\ndate: 2026-01-01\ndescription: 说明。\ntags:\n\t- 学习\n---\n\n内容。\n",
        [(6, "YAML 格式错误：使用了 Tab 键缩进，YAML 只允许空格。")]),
}


@pytest.fixture(scope="module")
def mistakes(tmp_path_factory):
    brands = {"quan-jiao": {"index.md": MISTAKES["brands/quan-jiao/index.md"][0], "photo-1.jpg": _jpeg()}}
    docs = {path.removeprefix("docs/"): text for path, (text, _) in MISTAKES.items() if path.startswith("docs/")}
    docs["guide/page.md"] = doc_text({"title": "指南"})
    root = make_project(tmp_path_factory.mktemp("mistakes") / "p", brands=brands, docs=docs)
    shutil.copytree(REPO / "rules", root / "rules")
    return root


@pytest.mark.parametrize("path", sorted(MISTAKES))
def test_writer_mistakes_are_reported_by_check_with_exact_chinese_messages(mistakes, path):
    found = [(p.line, p.message) for p in run_check(mistakes) if p.path == path and p.severity.value == "error"]
    for expected in MISTAKES[path][1]:
        assert expected in found, found
    assert ("【通知】（第一期）" not in " ".join(m for _, m in found))  # brackets in prose are not syntax


def test_the_strict_build_refuses_what_check_reports(mistakes):
    from conftest import run_build

    built = run_build(mistakes, strict=True)
    assert built.returncode == 1
    output = re.sub(r"字段“\w+”：", "", built.output)
    for path, (_, expected) in MISTAKES.items():
        for line, message in expected:
            assert re.search(rf"{re.escape(path)}:{line}(:\d+)?：错误：{re.escape(message)}", output), (path, message)
    # personal data and external images: caught by check only before, now by the build too
    page = mistakes / "docs" / "guide" / "page.md"
    page.write_text(doc_text({"title": "指南"}, "联系 13812345678\n\n![图](https://cdn.example.com/a.png)\n"), encoding="utf-8")
    try:
        checked = {p.message for p in run_check(mistakes, {"docs/guide/page.md"})}
        built = run_build(mistakes, strict=True)
        for message in checked:
            assert message in built.output
        assert "发现未打码的手机号（138****5678），属于个人信息，不能公开发布。" in checked
        assert any("来自外部网站" in m for m in checked)
    finally:
        page.write_text(doc_text({"title": "指南"}), encoding="utf-8")


# ---------------------------------------------------------------- CODEOWNERS, one per forge, each in its documented syntax

OWNER = re.compile(r"^@[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")


def repo_files() -> list[str]:
    done = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, encoding="utf-8", check=True)
    return done.stdout.splitlines()


def codeowners_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


def test_gitea_codeowners_uses_anchored_go_regular_expressions():
    """docs.gitea.com/usage/code-owners: ``<regexp> <@user or @org/team>...``, Go regexp, ``!`` negates."""
    files = repo_files()
    lines = codeowners_lines(REPO / ".gitea" / "CODEOWNERS")
    assert lines
    for line in lines:
        pattern, *owners = re.split(r"(?<!\\)\s+", line.split(" #")[0].strip())
        assert owners and all(OWNER.match(o) for o in owners), line
        body = pattern.removeprefix("!")
        # RE2 (Go) has no look-around and no back-references
        assert not re.search(r"\(\?[=!<]|\\[1-9]", body), line
        regex = re.compile(f"^{body}$")
        assert not body.startswith("/"), line  # Gitea matches paths without a leading slash
        assert any(regex.match(f) for f in files), f"{line}: matches no file"
    # the first file found wins (./CODEOWNERS, ./docs/CODEOWNERS, ./.gitea/CODEOWNERS); docs/ would also be published
    assert not (REPO / "CODEOWNERS").exists() and not (REPO / "docs" / "CODEOWNERS").exists()


def _gitignore_match(pattern: str, path: str) -> bool:
    if pattern == "*":
        return True
    anchored = pattern.startswith("/")
    pattern = pattern.lstrip("/")
    if pattern.endswith("/"):
        return path.startswith(pattern) if anchored else f"/{pattern}" in f"/{path}"
    return path == pattern if anchored else path.endswith("/" + pattern) or path == pattern


def test_gitlab_codeowners_uses_sections():
    """docs.gitlab.com/user/project/codeowners/reference: ``[Section]``, ``^[Optional]``, ``[Section][2]``,
    default owners after the header, gitignore-style patterns (no regular expressions)."""
    files = repo_files()
    header = re.compile(r"^(?P<optional>\^)?\[(?P<name>[^\]]+)\](?:\[(?P<approvals>\d+)\])?(?P<owners>(?:\s+\S+)*)\s*$")
    section_owners: list[str] | None = None
    sections = []
    for line in codeowners_lines(REPO / ".gitlab" / "CODEOWNERS"):
        match = header.match(line)
        if match:
            section_owners = match.group("owners").split()
            assert all(OWNER.match(o) for o in section_owners), line
            sections.append(match.group("name"))
            continue
        pattern, *owners = line.split()
        assert all(OWNER.match(o) for o in owners), line
        assert owners or section_owners, f"{line}: no owners and the section has no default owners"
        assert not re.search(r"\.\*|[()|\\^$+]", pattern), f"{line}: GitLab patterns are not regular expressions"
        assert any(_gitignore_match(pattern, f) for f in files), f"{line}: matches no file"
    assert len(sections) == len(set(sections)) >= 3


def test_github_codeowners_has_no_gitignore_syntax_github_ignores():
    files = repo_files()
    for line in codeowners_lines(REPO / ".github" / "CODEOWNERS"):
        pattern, *owners = line.split()
        assert owners and all(OWNER.match(o) for o in owners), line
        assert not pattern.startswith("!") and "[" not in pattern, line  # negation and ranges do not work on GitHub
        assert any(_gitignore_match(pattern, f) for f in files), f"{line}: matches no file"


def test_gitlab_merge_request_template_has_the_review_checklist():
    template = (REPO / ".gitlab" / "merge_request_templates" / "Default.md").read_text(encoding="utf-8")
    github = (REPO / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    checklist = [line for line in github.splitlines() if line.startswith("- [ ]")]
    assert checklist and all(item in template for item in checklist)
    assert "本地预览.bat" in template and "审核检查报告" in template


def test_ci_posts_the_chinese_report_as_one_comment():
    github = yaml.safe_load((REPO / ".github" / "workflows" / "check.yml").read_text(encoding="utf-8"))
    steps = github["jobs"]["check"]["steps"]
    check_step = next(s for s in steps if "./dev.sh check" in s.get("run", ""))
    assert "--report check-report.txt" in check_step["run"] and "cat check-report.txt" in check_step["run"]
    post = next(s for s in steps if "post_review.py" in s.get("run", ""))
    assert post["env"]["GITHUB_TOKEN"] == "${{ github.token }}" and "always()" in post["if"]
    assert github["jobs"]["check"]["permissions"]["pull-requests"] == "write"
    gitlab = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    script = "\n".join(gitlab["check"]["script"])
    assert "--report check-report.txt" in script and "post_review.py --report check-report.txt" in script
    assert script.strip().endswith("exit $status")


def test_every_rule_code_has_a_chinese_title():
    from dangjian.checks.content import RULE_CODES
    from dangjian.problems import RULE_TITLES

    used = set(RULE_CODES.values())
    for path in (REPO / "scripts").rglob("*.py"):
        used |= set(re.findall(r'code="([a-z-]+)"', path.read_text(encoding="utf-8")))
    assert used - set(RULE_TITLES) == set()
    assert all(re.fullmatch(r"[a-z]+(?:-[a-z]+)*", code) for code in RULE_TITLES)
    assert all(re.search(r"[\u4e00-\u9fff]", title) for title in RULE_TITLES.values())
