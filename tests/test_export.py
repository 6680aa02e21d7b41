"""汇编 export: a real project in tmp_path exported through the command line.

The Word file is opened with python-docx and its structure asserted (cover,
TOC field, one page-broken case per selection in order, facts tables, photos
with their pixel sizes, East-Asian fonts, page-number field, 公文 margins);
the PDF is read back with poppler (pdftotext, pdftoppm) and pypdf (outline).
Rendered pages are written to test-artifacts/export/ to be looked at.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import REPO, brand_text, doc_text, make_project, run_build
from docx.oxml.ns import qn
from PIL import Image, ImageDraw

sys.path.insert(0, str(REPO / "scripts"))

from dangjian.export.pdfinfo import read_outline

ARTIFACTS = REPO / "test-artifacts" / "export"
TITLE = "2026年党建品牌案例汇编"
DRAFT_TITLES = ("草稿品牌不应出现", "草稿学习资料不应出现")


def photo(width: int, height: int, seed: int, banner: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A JPEG that looks like a photo (sky, ground, people, a banner), with noise so it compresses like one."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (150, 190, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 2 // 3, width, height], fill=(120, 110, 90))
    draw.rectangle([width // 5, height // 6, width * 4 // 5, height // 3], fill=banner)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height // 2, height)
        r = max(4, width // 60)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(rng.randrange(60), rng.randrange(60), rng.randrange(80)))
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def logo(width: int, height: int) -> bytes:
    """A transparent PNG emblem: a red ring with a gold star-like centre (not square, to test the padding)."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    side = min(width, height)
    box = [(width - side) // 2, (height - side) // 2, (width + side) // 2, (height + side) // 2]
    draw.ellipse(box, outline=(200, 20, 20, 255), width=side // 8)
    inset = side // 3
    draw.ellipse([box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset], fill=(240, 190, 30, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


BODY = """## 品牌内涵

支部把**“第一议题”**和*预算编制*结合起来，做到学习有主题、研究有结论。

![支部在民生项目现场开展主题党日](photo-1.jpg)

## 主要做法

1. 把“三会一课”开在项目现场；
2. 设立党员先锋岗。

先锋岗的承诺：

- 首问负责
- 限时办结

| 指标 | 2023年 | 2025年 |
| --- | --- | --- |
| 预算项目平均审核天数 | 9天 | 5天 |

![预算审核环节的党员先锋岗](photo-2.jpg)

> 每一张审核单后面都能看到党员的责任。
"""

STUDY = """## 学习安排

| 时间 | 内容 | 形式 |
| --- | --- | --- |
| 一季度 | 党章党规 | 集中学习 |
| 二季度 | 党的创新理论 | 专题研讨 |

各支部按季度落实。
"""


def project_with(tmp: Path, *, extra_brands: dict | None = None, rules: bool = True, settings: dict | None = None) -> Path:
    brands = {
        "hong-xin": {"index.md": brand_text(featured=True, cover="photo-1.jpg").split("## 品牌内涵")[0] + BODY,
                     "photo-1.jpg": photo(2000, 1500, 1), "photo-2.jpg": photo(800, 600, 2)},
        "shui-wu": {"index.md": brand_text(title="税务红管家", unit="市税务局", category="为民服务", slogan="红管家 暖人心",
                                           honors=None, date="2026-02-01", logo="logo.png", cover="cover.jpg"),
                    "logo.png": logo(400, 300), "cover.jpg": photo(1600, 1200, 3, banner=(30, 150, 40))},
        "jing-hui": brand_text(title="警徽映江城", unit="市公安局", slogan=None, date="2025-12-01"),
        "cao-gao": brand_text(title=DRAFT_TITLES[0], draft=True),
        **(extra_brands or {}),
    }
    root = make_project(tmp, brands=brands, docs={
        "models/shi-cai-zheng.md": doc_text({"title": "市财政局：以红心理财引领模范机关创建", "unit": "市财政局", "year": 2025,
                                             "level": "市级模范机关", "description": "模范机关创建经验。", "date": "2026-01-10"}),
        "study/lilun/xue-xi.md": doc_text({"title": "青年理论学习安排", "issuer": "中共江城市直属机关工作委员会",
                                          "doc_no": "江直党〔2026〕3号", "date": "2026-01-05", "description": "年度学习安排。"}, STUDY),
        "study/lilun/cao-gao.md": doc_text({"title": DRAFT_TITLES[1], "date": "2026-01-05", "description": "d", "draft": True}),
        "study/topics.yml": "lilun:\n  title: 理论学习\n",
    }, extra_config={"extra": {"organizer": "中共江城市直属机关工作委员会", "dangjian": settings or {}}})
    if rules:
        shutil.copytree(REPO / "rules", root / "rules")
    return root


def export(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scripts" / "export.py"), "--root", str(root), *args],
                          capture_output=True, text=True, encoding="utf-8", cwd=root, timeout=600)


EXPECTED = ["红心理财", "税务红管家", "警徽映江城", "市财政局：以红心理财引领模范机关创建", "青年理论学习安排"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = project_with(tmp_path_factory.mktemp("export") / "p")
    out = root / "out" / "汇编"
    done = export(root, "--title", TITLE, "--subtitle", "（内部交流材料）", "--section", "品牌", "--section", "模范机关",
                  "--section", "学习资料", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return root, out.with_suffix(".docx"), out.with_suffix(".pdf"), done


# ---------------------------------------------------------------- Word


def test_cli_reports_files_and_leaves_no_temporary_file(exported):
    _root, docx_path, pdf_path, done = exported
    assert f"已生成 {docx_path}" in done.stdout and f"已生成 {pdf_path}" in done.stdout
    assert "共收入 5 篇" in done.stdout
    assert sorted(p.name for p in docx_path.parent.iterdir()) == ["汇编.docx", "汇编.pdf"]


def test_docx_cover_toc_and_page_setup(exported):
    _root, docx_path, _pdf, _ = exported
    document = docx.Document(str(docx_path))
    paragraphs = document.paragraphs
    assert (paragraphs[0].text, paragraphs[0].style.name) == (TITLE, "Title")
    texts = [p.text for p in paragraphs[:6]]
    assert "（内部交流材料）" in texts and "中共江城市直属机关工作委员会" in texts
    assert any(t.endswith("日") and t.startswith("20") for t in texts)  # the date, 2026年11月30日
    body_xml = document.element.xml
    assert 'TOC \\o "1-1" \\h \\z \\u' in body_xml
    settings = document.settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin.mm, section.bottom_margin.mm, section.left_margin.mm, section.right_margin.mm]
    assert [round(m, 1) for m in margins] == [37.0, 35.0, 28.0, 26.0]
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and 'w:fldCharType="begin"' in footer_xml
    assert section.different_first_page_header_footer  # no page number on the cover


def test_docx_one_page_broken_case_per_selection_in_order(exported):
    document = docx.Document(str(exported[1]))
    heads = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in heads] == EXPECTED
    assert document.styles["Heading 1"].paragraph_format.page_break_before
    for head in heads:  # a case starts a page: its title does, or the logo right above it
        previous = head._p.getprevious()
        starter = head
        if head.paragraph_format.page_break_before is False:
            starter = docx.text.paragraph.Paragraph(previous, head._parent)
        assert starter.paragraph_format.page_break_before is not False and starter.style.name in ("Heading 1", "图片")
    # Each case is followed by its facts table, in the same order.
    facts = [t for t in document.tables if t.cell(0, 0).text in ("所属单位", "单位", "发文机关")]
    assert [t.cell(0, 1).text for t in facts] == ["江城市财政局", "江城市税务局", "江城市公安局", "江城市财政局",
                                                  "中共江城市直属机关工作委员会"]
    first = {t.cell(r, 0).text: t.cell(r, 1).text for t in facts[:1] for r in range(len(t.rows))}
    assert first["品牌类别"] == "党建业务融合" and first["选树典型"] == "是" and first["简介"] == "以红心守护钱袋子。"
    study = {facts[4].cell(r, 0).text: facts[4].cell(r, 1).text for r in range(len(facts[4].rows))}
    assert study["文号"] == "江直党〔2026〕3号"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "“红心向党 理财为民”" in text and "★ 市直机关先锋杯一等奖" in text
    for title in DRAFT_TITLES:
        assert title not in document.element.xml


def test_docx_body_headings_emphasis_lists_tables(exported):
    document = docx.Document(str(exported[1]))
    paragraphs = document.paragraphs
    assert [p.text for p in paragraphs if p.style.name == "Heading 2"][:3] == ["所获荣誉", "品牌内涵", "主要做法"]
    bold = [r.text for p in paragraphs for r in p.runs if r.bold]
    italic = [r.text for p in paragraphs for r in p.runs if r.italic]
    assert "“第一议题”" in bold and "预算编制" in italic
    texts = [p.text for p in paragraphs]
    assert "1．把“三会一课”开在项目现场；" in texts and "● 首问负责" in texts
    body_tables = [t for t in document.tables if t.cell(0, 0).text in ("指标", "时间")]
    assert [[c.text for c in t.rows[1].cells] for t in body_tables] == [["预算项目平均审核天数", "9天", "5天"],
                                                                        ["一季度", "党章党规", "集中学习"]]
    assert "每一张审核单后面都能看到党员的责任。" in texts


def test_docx_photos_are_processed_renditions_sized_for_print_with_captions(exported):
    document = docx.Document(str(exported[1]))
    shapes = [s for s in document.inline_shapes if round(s.width.mm) != 25][:3]  # the first case's and the cover
    assert len(document.inline_shapes) == 4  # two body photos; 税务红管家's logo and cover photo
    # The 2000 px original is printed from its 960 px rendition, the 800 px one at its own size; no metadata.
    with zipfile.ZipFile(exported[1]) as archive:
        media = sorted(n for n in archive.namelist() if n.startswith("word/media/"))
        sizes = sorted(Image.open(io.BytesIO(archive.read(n))).size for n in media)
        assert not any(Image.open(io.BytesIO(archive.read(n))).info.get("exif") for n in media)
    assert sizes == [(256, 256), (800, 600), (960, 720), (960, 720)]
    shapes = shapes[:2]
    widths = sorted(round(s.width.mm) for s in shapes)
    # 800 px at 150 dpi is 136 mm; 960 px would fill the 156 mm text width but is then 117 mm tall,
    # so it is scaled to the 110 mm height limit (147 mm wide).
    assert widths == [136, 147]
    assert max(round(s.height.mm) for s in shapes) == 110
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == ["支部在民生项目现场开展主题党日", "预算审核环节的党员先锋岗"]


def paragraphs_of_case(document, title: str) -> list:
    """The body paragraphs from the paragraph before a case's title (its logo, if any) to the next title."""
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.style.name == "Heading 1" and p.text == title)
    end = next((i for i, p in enumerate(paragraphs[start + 1:], start + 1) if p.style.name == "Heading 1"), len(paragraphs))
    if paragraphs[end - 1].paragraph_format.page_break_before:  # the next case's logo
        end -= 1
    return paragraphs[start - 1:end]


def pictures_in(paragraph) -> list[tuple[int, int]]:
    """(width, height) in mm of every picture in a paragraph."""
    extents = paragraph._p.xpath(".//wp:extent")
    return [(round(int(e.get("cx")) / 36000), round(int(e.get("cy")) / 36000)) for e in extents]


def test_docx_brand_logo_above_the_title_and_cover_photo_under_it(exported):
    document = docx.Document(str(exported[1]))
    before, head, slogan, cover, *_rest = paragraphs_of_case(document, "税务红管家")
    assert head.style.name == "Heading 1" and before.style.name == "图片"
    assert pictures_in(before) == [(25, 25)]  # the logo, a 256 px square rendition of the 400×300 original
    assert before.paragraph_format.page_break_before and before.paragraph_format.keep_with_next
    assert slogan.text == "“红管家 暖人心”"
    assert pictures_in(cover) == [(120, 90)]  # under the slogan: the 960×720 rendition held to the 90 mm cover height
    # A brand whose cover is also in its body shows it once (in the body); one without photos or logo has none.
    hong_xin = paragraphs_of_case(document, "红心理财")
    assert sum(len(pictures_in(p)) for p in hong_xin) == 2 and not pictures_in(hong_xin[0])
    jing_hui = paragraphs_of_case(document, "警徽映江城")
    assert sum(len(pictures_in(p)) for p in jing_hui) == 0
    assert jing_hui[1].paragraph_format.page_break_before is not False


def test_docx_declares_east_asian_fonts_with_fallbacks(exported):
    document = docx.Document(str(exported[1]))

    def east_asia(style: str) -> str:
        return document.styles[style].element.rPr.rFonts.get(qn("w:eastAsia"))

    assert east_asia("Normal") == "仿宋_GB2312"
    assert east_asia("Heading 1") == east_asia("Title") == "方正小标宋简体"
    assert east_asia("Heading 2") == "黑体" and east_asia("Heading 3") == "楷体_GB2312"
    assert document.styles["Normal"].font.size.pt == 16
    fonts = document.styles["Heading 1"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override the declared one
    with zipfile.ZipFile(exported[1]) as archive:
        table = archive.read("word/fontTable.xml").decode("utf-8")
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:charset w:val="86"/>' in table
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in table


# ---------------------------------------------------------------- PDF


def pdftotext(path: Path, first: int = 1, last: int | None = None) -> str:
    args = ["pdftotext", "-layout", "-f", str(first)] + (["-l", str(last)] if last else []) + [str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_pdf_text_outline_and_page_numbers(exported):
    pdf = exported[2]
    text = pdftotext(pdf, first=3)  # after the cover and the contents
    positions = [text.find(title) for title in EXPECTED]
    assert -1 not in positions and positions == sorted(positions), positions
    for phrase in ("红心向党 理财为民", "预算项目平均审核天数", "江直党〔2026〕3号", "支部在民生项目现场开展主题党日"):
        assert phrase in text
    whole = pdftotext(pdf)
    assert not any(title in whole for title in DRAFT_TITLES)
    outline = read_outline(pdf)
    top = [e for e in outline if e.level == 0]
    assert [e.title for e in top] == EXPECTED
    pages = [e.page for e in top]
    assert pages[0] == 3 and pages == sorted(pages)
    # The contents page shows the pages the outline points at; every page has "— n —" at the bottom.
    contents = pdftotext(pdf, 2, 2)
    for entry in top:
        assert any(line.strip().startswith(entry.title) and line.strip().endswith(str(entry.page))
                   for line in contents.splitlines()), (entry, contents)
    assert re.search(rf"—\s*{pages[1]}\s*—", pdftotext(pdf, pages[1], pages[1]))
    assert not re.search(r"—\s*1\s*—", pdftotext(pdf, 1, 1))  # no number on the cover
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows)  # every font embedded (column "emb")


def test_pdf_printed_in_batches_keeps_bookmarks_page_numbers_and_contents_links(exported, tmp_path, monkeypatch):
    """Two cases per print (three batches, merged): the same pages as one print, numbered on, linked right."""
    from pypdf import PdfReader

    from dangjian.export import Criteria, export_compilation, printable

    root, _docx, whole, _done = exported
    monkeypatch.setattr(printable, "BATCH_CASES", 2)
    out = tmp_path / "batched" / "汇编"
    result = export_compilation(root, Criteria(sections=["brands", "models", "study"]), title=TITLE,
                                subtitle="（内部交流材料）", out=out, formats=("pdf",))
    assert result.ok, [p.format() for p in result.problems]
    pdf = out.with_suffix(".pdf")
    assert sorted(p.name for p in pdf.parent.iterdir()) == ["汇编.pdf"]
    reader = PdfReader(pdf)
    assert len(reader.pages) == len(PdfReader(whole).pages)
    outline = read_outline(pdf)
    top = [e for e in outline if e.level == 0]
    assert [e.title for e in top] == EXPECTED and [e.page for e in top] == [e.page for e in read_outline(whole) if e.level == 0]
    assert any(e.level == 1 and e.title == "主要做法" for e in outline)  # the cases' headings below them
    for entry in top:  # each bookmark opens the page where its case begins
        assert entry.title in pdftotext(pdf, entry.page, entry.page)
    for number in range(2, len(reader.pages) + 1):  # continuous numbers across the batches
        assert re.search(rf"—\s*{number}\s*—", pdftotext(pdf, number, number)), number
    contents = pdftotext(pdf, 2, 2)
    for entry in top:
        assert any(line.strip().startswith(entry.title) and line.strip().endswith(str(entry.page))
                   for line in contents.splitlines()), (entry, contents)
    # The contents entries jump to the cases' pages; no link leaves the file.
    numbers = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, 1)}
    targets = []
    for annot in reader.pages[1].get("/Annots") or []:
        annot = annot.get_object()
        assert "/A" not in annot
        targets.append(numbers[annot["/Dest"][0].idnum])
    assert sorted(set(targets)) == [e.page for e in top]
    assert b"/URI" not in pdf.read_bytes() and b"dj-case" not in pdf.read_bytes()
    assert reader.metadata.title == TITLE and reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_pdf_pages_render(exported):
    """Cover, a case with photos and a study material with a table, rendered for looking at."""
    pdf = exported[2]
    top = [e for e in read_outline(pdf) if e.level == 0]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, page in (("cover", 1), ("contents", 2), ("case-photos", top[0].page), ("case-photos-2", top[0].page + 1),
                       ("case-logo-cover", top[1].page), ("case-plain", top[2].page), ("study-table", top[-1].page)):
        prefix = ARTIFACTS / name
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page), str(pdf),
                        str(prefix)], check=True)
        image = Image.open(f"{prefix}.png")
        assert image.size == (496, 702)  # A4 at 60 dpi
        assert image.convert("L").getextrema()[0] < 100  # something is printed on it
    reds = sum(1 for name in ("case-photos", "case-photos-2")
               for r, g, b in Image.open(ARTIFACTS / f"{name}.png").convert("RGB").getdata() if r > 150 and g < 80 and b < 80)
    assert reds > 200  # the red banner of photo-1 is printed within the case's first two pages

    def count(name: str, test) -> int:
        return sum(1 for pixel in Image.open(ARTIFACTS / f"{name}.png").convert("RGB").getdata() if test(*pixel))

    def gold(r, g, b):
        return r > 200 and 150 < g < 220 and b < 90

    def green(r, g, b):
        return g > 110 and r < 90 and b < 90

    # 税务红管家: the logo (gold centre) in the top sixth of the page, above the title; the cover's green banner.
    logo_top = Image.open(ARTIFACTS / "case-logo-cover.png").convert("RGB").crop((0, 0, 496, 140))
    assert sum(1 for pixel in logo_top.getdata() if gold(*pixel)) > 50
    assert count("case-logo-cover", green) > 500
    assert count("case-plain", gold) == 0 and count("case-plain", green) == 0  # no logo, no photo: nothing made up


# ---------------------------------------------------------------- selection and bad input


def test_filters_and_list_order(exported, tmp_path):
    root = exported[0]
    done = export(root, "--title", "t", "--dry-run", "--group", "经济系统")
    assert done.returncode == 0 and "红心理财" in done.stdout and "税务红管家" in done.stdout
    assert "警徽映江城" not in done.stdout and "共 2 篇" in done.stdout  # brands only unless --section says otherwise
    listing = tmp_path / "清单.yml"
    listing.write_text("- jing-hui\n- study/lilun/xue-xi\n- hong-xin\n", encoding="utf-8")
    done = export(root, "--title", "t", "--dry-run", "--list", str(listing))
    assert done.returncode == 0, done.stderr
    assert [line.split(". ", 1)[1].split("  ")[0] for line in done.stdout.splitlines()[:3]] == [
        "警徽映江城", "青年理论学习安排", "红心理财"]
    done = export(root, "--title", "t", "--dry-run", "--featured")
    assert "共 1 篇" in done.stdout
    done = export(root, "--title", "t", "--dry-run", "--section", "学习资料", "--topic", "理论学习")
    assert "青年理论学习安排" in done.stdout and "共 1 篇" in done.stdout


@pytest.mark.parametrize("args, expected", [
    (["--year", "1999"], "按这些条件没有选到任何已发布的党建品牌（草稿不会收入汇编）"),
    (["--group", "经济系"], "系统“经济系”不存在。"),
    (["--category", "党建融合"], "是否想写：党建业务融合？"),
    (["--unit", "市财政"], "单位“市财政”不存在。"),
    (["--section", "品牌展示"], "栏目类型“品牌展示”不存在"),
])
def test_bad_selection_is_refused_in_chinese_without_files(exported, args, expected):
    root = exported[0]
    out = root / "refused" / "x"
    done = export(root, "--title", "t", "--out", str(out), *args)
    assert done.returncode == 1
    assert "未生成汇编" in done.stderr and expected in done.stderr and "Traceback" not in done.stderr
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_list_naming_a_draft_or_missing_brand_is_refused(exported, tmp_path):
    root = exported[0]
    listing = tmp_path / "list.yml"
    listing.write_text("- hong-xin\n- cao-gao\n- hong-xn\n", encoding="utf-8")
    done = export(root, "--title", "t", "--list", str(listing), "--out", str(tmp_path / "o" / "x"))
    assert done.returncode == 1
    assert "“cao-gao”是草稿（draft: true），草稿不能收入汇编。" in done.stderr
    assert "找不到已发布的篇目“hong-xn”" in done.stderr and "是否想写：hong-xin" in done.stderr
    assert "\n  2:-" in done.stderr and "\n  3:-" in done.stderr  # the lines of the list
    assert not (tmp_path / "o").exists()


def test_gate_errors_and_unreadable_photo_refuse(tmp_path):
    root = project_with(tmp_path / "p", extra_brands={
        "dian-hua": brand_text(title="联系电话品牌", unit="市教育局").replace("推动党建", "联系人 13812345678，推动党建"),
        "huai-tu": {"index.md": brand_text(title="坏照片品牌", unit="市教育局", date="2026-01-01") + "\n![现场照片](xian-chang.jpg)\n",
                    "xian-chang.jpg": b"\xff\xd8\xff\xe0 not really a jpeg"},
    })
    out = tmp_path / "out" / "x"
    done = export(root, "--title", "t", "--unit", "市教育局", "--out", str(out))
    assert done.returncode == 1 and "未生成汇编" in done.stderr
    assert "brands/dian-hua/index.md" in done.stderr and "手机号" in done.stderr and "13812345678" not in done.stderr
    assert not out.parent.exists() or not any(out.parent.iterdir())
    # Without the personal data, the broken photo is what stops the export.
    (root / "brands" / "dian-hua" / "index.md").write_text(brand_text(title="联系电话品牌", unit="市教育局"), encoding="utf-8")
    done = export(root, "--title", "t", "--unit", "市教育局", "--out", str(out), "--format", "docx")
    assert done.returncode == 1
    assert "brands/huai-tu/index.md" in done.stderr and "xian-chang.jpg" in done.stderr and "Traceback" not in done.stderr
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_unreadable_logo_refuses_naming_the_file(tmp_path):
    root = project_with(tmp_path / "p", extra_brands={
        "huai-biao": {"index.md": brand_text(title="坏标识品牌", unit="市教育局", logo="logo.png"),
                      "logo.png": b"\x89PNG\r\n\x1a\n broken"}})
    out = tmp_path / "out" / "x"
    done = export(root, "--title", "t", "--unit", "市教育局", "--out", str(out), "--format", "docx")
    assert done.returncode == 1 and "未生成汇编" in done.stderr and "Traceback" not in done.stderr
    assert "brands/huai-biao/index.md" in done.stderr and "logo.png" in done.stderr
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_untrusted_html_never_reaches_the_documents(tmp_path):
    """Writers' raw HTML is reduced to plain structure even when the gate is skipped (core API)."""
    from lxml.html import tostring

    from dangjian.export.content import markdown_to_tree

    tree = markdown_to_tree('<script>alert(1)</script>\n\n<p onclick="x()" style="color:red">文字<iframe src="http://x"></iframe>'
                            '<a href="http://evil">链接</a></p>\n\n<img src="http://evil/a.png" alt="外部">\n')
    html = tostring(tree, encoding="unicode")
    assert "script" not in html and "iframe" not in html and "onclick" not in html and "style" not in html
    assert "href" not in html and "文字" in html and "链接" in html


def test_svg_drawing_is_left_out_with_a_warning_and_missing_browser_is_explained(tmp_path, monkeypatch):
    from dangjian.export import Criteria, export_compilation, printable

    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    root = make_project(tmp_path / "p", brands={"tu-biao": {
        "index.md": brand_text(title="图表品牌") + "\n![组织架构图](jia-gou.svg)\n\n图后的文字。\n", "jia-gou.svg": svg}})
    shutil.copytree(REPO / "rules", root / "rules")
    result = export_compilation(root, Criteria(), title="图表", out=tmp_path / "o" / "x", formats=("docx",))
    assert result.ok, [p.format() for p in result.problems]
    assert any(p.code == "export-svg" and "jia-gou.svg" in p.message for p in result.problems)
    document = docx.Document(str(tmp_path / "o" / "x.docx"))
    assert len(document.inline_shapes) == 0 and "图后的文字。" in [p.text for p in document.paragraphs]

    monkeypatch.setattr(printable, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setattr(printable, "_CHANNELS", ())
    result = export_compilation(root, Criteria(), title="图表", out=tmp_path / "o2" / "x")
    assert not result.ok and [p.code for p in result.problems if p.code == "export-browser"] == ["export-browser"]
    assert sorted(p.name for p in (tmp_path / "o2").iterdir()) == []  # not even the Word file of the pair


def test_writer_tables_with_odd_spans_and_other_markdown_do_not_break_the_word_file(tmp_path):
    from dangjian.export.content import Case, markdown_to_tree
    from dangjian.export.word import MAX_COLUMNS, write_docx

    body = markdown_to_tree('<table><tr><td colspan="100000">甲</td><td colspan="x">乙</td></tr><tr><td>丙</td></tr></table>\n\n'
                            "- 一级\n    - 二级\n\n```\n代码 code\n```\n\n正文有注释[^1]。\n\n[^1]: 注释内容。\n\n"
                            '!!! note "提示"\n    提示内容\n')
    case = Case("brands", "x", "brands/x/index.md", "标题", "党建品牌", [("所属单位", "某单位")], "简介", None, [], body)
    write_docx([case], tmp_path / "x.docx", title="t", subtitle="", organizer="o", date_text="d")
    document = docx.Document(str(tmp_path / "x.docx"))
    texts = [p.text for p in document.paragraphs]
    assert len(document.tables[1].columns) == MAX_COLUMNS
    for expected in ("● 一级", "○ 二级", "代码 code", "正文有注释1。", "提示", "提示内容", "1．注释内容。"):
        assert expected in texts


# ---------------------------------------------------------------- 汇编下载 in the build (setting attach_compilations)


def test_build_attaches_section_compilations_only_when_the_setting_is_on(tmp_path):
    root = project_with(tmp_path / "p", settings={"attach_compilations": True})
    built = run_build(root, strict=True)
    assert built.returncode == 0, built.output
    showcase = built.html("brands/")
    link = r'<a href="../downloads/brands.docx" download(="")?>下载本栏目汇编：党建品牌案例汇编</a>（Word 文档，3 篇'
    assert re.search(link, showcase)
    assert 'href="../downloads/models.docx"' in built.html("models/")
    assert 'href="../../downloads/study-lilun.docx"' in built.html("study/lilun/")
    brands = docx.Document(str(built.site / "downloads" / "brands.docx"))
    assert [p.text for p in brands.paragraphs if p.style.name == "Heading 1"] == EXPECTED[:3]
    assert len(brands.inline_shapes) == 4 and "2026年3月15日" in [p.text for p in brands.paragraphs]  # newest page's date
    study = docx.Document(str(built.site / "downloads" / "study-lilun.docx"))
    assert [p.text for p in study.paragraphs if p.style.name == "Heading 1"] == ["青年理论学习安排"]
    assert not any(title in (built.site / "downloads" / name).read_bytes().decode("latin-1") for title in DRAFT_TITLES
                   for name in ("brands.docx", "study-lilun.docx"))
    cached = sorted((root / ".cache" / "exports").glob("*.docx"))
    assert len(cached) == 3
    stamps = [p.stat().st_mtime_ns for p in cached]
    # Unchanged content: the next build reuses the files; a changed brand makes a new brands compilation.
    assert run_build(root, strict=True).returncode == 0
    assert [p.stat().st_mtime_ns for p in sorted((root / ".cache" / "exports").glob("*.docx"))] == stamps
    index = root / "brands" / "jing-hui" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n新增的一段话。\n", encoding="utf-8")
    assert run_build(root, strict=True).returncode == 0
    assert len(list((root / ".cache" / "exports").glob("*.docx"))) == 4
    assert "新增的一段话。" in [p.text for p in docx.Document(str(built.site / "downloads" / "brands.docx")).paragraphs]

    off = project_with(tmp_path / "off")
    built = run_build(off, strict=True)
    assert built.returncode == 0 and "downloads" not in built.html("brands/") and not (built.site / "downloads").exists()
