"""Draws the web app's icons into web/public/icons (committed; run again after a change):
a white bell on Bellwork's blue. `icon-*.png` have rounded corners and a margin (browsers
show them as they are); `maskable-512.png` fills the square and keeps the bell inside the
central 80 % that any mask shape leaves (the manifest's "maskable" purpose); `badge-96.png`
is the bell alone in white on transparent, for Android's status bar.

    .venv/bin/python web/scripts/make-icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "public" / "icons"
BLUE = (22, 119, 255, 255)
WHITE = (255, 255, 255, 255)
SCALE = 4  # drawn large, then scaled down: smooth edges


def bell(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float, fill: tuple[int, ...]) -> None:
    """A bell `size` tall centred on (cx, cy): dome, flared body, rim, clapper and handle."""
    s = size
    top = cy - 0.5 * s
    # The handle: a small ring on top.
    r = 0.07 * s
    draw.ellipse([cx - r, top - 0.02 * s, cx + r, top + 0.12 * s], fill=fill)
    # The dome and body: an ellipse over a trapezoid that flares towards the rim.
    dome_w = 0.56 * s
    draw.ellipse([cx - dome_w / 2, top + 0.06 * s, cx + dome_w / 2, top + 0.62 * s], fill=fill)
    draw.polygon(
        [
            (cx - dome_w / 2, top + 0.34 * s),
            (cx + dome_w / 2, top + 0.34 * s),
            (cx + 0.42 * s, top + 0.74 * s),
            (cx - 0.42 * s, top + 0.74 * s),
        ],
        fill=fill,
    )
    # The rim.
    draw.rounded_rectangle(
        [cx - 0.48 * s, top + 0.70 * s, cx + 0.48 * s, top + 0.82 * s], radius=0.05 * s, fill=fill
    )
    # The clapper.
    c = 0.11 * s
    draw.ellipse([cx - c, top + 0.82 * s, cx + c, top + 0.82 * s + 2 * c * 0.9], fill=fill)


def icon(px: int, *, maskable: bool = False, badge: bool = False) -> Image.Image:
    big = px * SCALE
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if badge:
        bell(d, big / 2, big / 2, big * 0.86, WHITE)
    elif maskable:
        d.rectangle([0, 0, big, big], fill=BLUE)
        bell(d, big / 2, big / 2, big * 0.5, WHITE)  # well inside the 80 % safe zone
    else:
        margin = big * 0.04
        d.rounded_rectangle([margin, margin, big - margin, big - margin], radius=big * 0.22, fill=BLUE)
        bell(d, big / 2, big / 2, big * 0.6, WHITE)
    return img.resize((px, px), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for px in (192, 512):
        icon(px).save(OUT / f"icon-{px}.png", optimize=True)
    icon(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)
    icon(192, maskable=True).save(OUT / "maskable-192.png", optimize=True)
    # iOS puts its own mask on a full square.
    icon(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    icon(96, badge=True).save(OUT / "badge-96.png", optimize=True)


if __name__ == "__main__":
    main()
