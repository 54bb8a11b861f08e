"""PNG previews of a comparison workbook's summary sheet (LibreOffice + pdftoppm).

Usage: python scripts/report_preview.py outputs/comparison.xlsx outputs/preview [--pages 1]

LibreOffice converts the workbook to PDF headless (the summary sheet is first and is set
to print one page wide); pdftoppm turns the first page(s) into PNG files.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def office_binary() -> str | None:
    """The LibreOffice executable, if installed."""
    return shutil.which("libreoffice") or shutil.which("soffice")


def workbook_to_pdf(workbook: Path, out_dir: Path, timeout: float = 900,
                    pages: int | None = None) -> Path:
    """Convert ``workbook`` to PDF with LibreOffice headless (fresh profile per call).

    ``pages`` limits the export to the first pages (the summary sheet comes first), which
    spares laying out the long contract sheets of a full-size report.
    """
    target = "pdf"
    if pages:
        page_range = '{"PageRange":{"type":"string","value":"1-' + str(pages) + '"}}'
        target = "pdf:calc_pdf_Export:" + page_range
    office = office_binary()
    if office is None:
        raise RuntimeError("LibreOffice is not installed (apt-get install libreoffice-calc)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [office, f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", target, "--outdir", str(out_dir), str(workbook)],
            check=True, capture_output=True, timeout=timeout,
        )
    pdf = out_dir / (workbook.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice did not write {pdf}")
    return pdf


def pdf_to_png(pdf: Path, prefix: Path, pages: int = 1, dpi: int = 80) -> list[Path]:
    """First ``pages`` pages of ``pdf`` as PNG files ``<prefix>-1.png`` ..."""
    if shutil.which("pdftoppm") is None:
        raise RuntimeError("pdftoppm is not installed (apt-get install poppler-utils)")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(pages),
                    str(pdf), str(prefix)], check=True, capture_output=True, timeout=120)
    return sorted(prefix.parent.glob(prefix.name + "-*.png"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workbook", type=Path)
    ap.add_argument("prefix", type=Path, help="output prefix, e.g. outputs/preview")
    ap.add_argument("--pages", type=int, default=2)
    ap.add_argument("--dpi", type=int, default=80)
    args = ap.parse_args(argv)
    if not args.workbook.exists():
        print(f"{args.workbook} not found; run `fta-compare run` first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        try:
            pdf = workbook_to_pdf(args.workbook, Path(tmp), pages=args.pages)
            args.prefix.parent.mkdir(parents=True, exist_ok=True)
            for png in pdf_to_png(pdf, args.prefix, args.pages, args.dpi):
                print(f"wrote {png}")
        except (RuntimeError, subprocess.SubprocessError) as exc:
            print(f"preview failed: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
