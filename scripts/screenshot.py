#!/usr/bin/python3
"""Renders `tmux capture-pane -e -p` output (ANSI SGR colours) to a PNG.

usage: screenshot.py OUT.png COLS ROWS < capture.txt
Needs python3-pil and fonts-dejavu-core (Debian).
"""
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 13
BASE = [(0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16),
        (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229),
        (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67),
        (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255)]
DEF_FG, DEF_BG = (220, 220, 220), (24, 24, 24)


def xterm(n):
    if n < 16:
        return BASE[n]
    if n < 232:
        n -= 16
        lv = [0, 95, 135, 175, 215, 255]
        return (lv[n // 36], lv[(n // 6) % 6], lv[n % 6])
    g = 8 + (n - 232) * 10
    return (g, g, g)


def sgr(params, st):
    p = [int(x) if x else 0 for x in params.split(";")] if params else [0]
    i = 0
    while i < len(p):
        c = p[i]
        if c == 0:
            st.update(fg=None, bg=None, bold=False, rev=False, ul=False, dim=False)
        elif c == 1:
            st["bold"] = True
        elif c == 2:
            st["dim"] = True
        elif c == 4:
            st["ul"] = True
        elif c == 7:
            st["rev"] = True
        elif c in (22,):
            st["bold"] = st["dim"] = False
        elif c == 24:
            st["ul"] = False
        elif c == 27:
            st["rev"] = False
        elif 30 <= c <= 37:
            st["fg"] = BASE[c - 30]
        elif 90 <= c <= 97:
            st["fg"] = BASE[c - 90 + 8]
        elif 40 <= c <= 47:
            st["bg"] = BASE[c - 40]
        elif 100 <= c <= 107:
            st["bg"] = BASE[c - 100 + 8]
        elif c == 39:
            st["fg"] = None
        elif c == 49:
            st["bg"] = None
        elif c in (38, 48) and i + 1 < len(p):
            key = "fg" if c == 38 else "bg"
            if p[i + 1] == 5 and i + 2 < len(p):
                st[key] = xterm(p[i + 2])
                i += 2
            elif p[i + 1] == 2 and i + 4 < len(p):
                st[key] = tuple(p[i + 2:i + 5])
                i += 4
        i += 1


def main():
    out, cols, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if len(sys.argv) > 4:  # a light terminal: default colours swapped
        global DEF_FG, DEF_BG
        DEF_FG, DEF_BG = (30, 30, 30), (250, 250, 246)
    font = ImageFont.truetype(FONT, SIZE)
    bold = ImageFont.truetype(BOLD, SIZE)
    cw = int(font.getlength("M"))
    ch = SIZE + 4
    img = Image.new("RGB", (cols * cw + 8, rows * ch + 8), DEF_BG)
    d = ImageDraw.Draw(img)
    text = sys.stdin.read()
    for y, line in enumerate(text.split("\n")[:rows]):
        st = dict(fg=None, bg=None, bold=False, rev=False, ul=False, dim=False)
        x = 0
        for tok in re.split(r"(\x1b\[[0-9;]*m)", line):
            m = re.match(r"\x1b\[([0-9;]*)m", tok)
            if m:
                sgr(m.group(1), st)
                continue
            for c in tok:
                if unicodedata.combining(c) or c in "\u200d\ufe0f":
                    continue
                w = 2 if unicodedata.east_asian_width(c) in "WF" else 1
                fg, bg = st["fg"] or DEF_FG, st["bg"] or DEF_BG
                if st["rev"]:
                    fg, bg = bg, fg
                if st["dim"]:
                    fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
                px, py = 4 + x * cw, 4 + y * ch
                d.rectangle([px, py, px + w * cw - 1, py + ch - 1], fill=bg)
                if c != " ":
                    d.text((px, py + 1), c, font=bold if st["bold"] else font, fill=fg)
                if st["ul"]:
                    d.line([px, py + ch - 2, px + w * cw - 1, py + ch - 2], fill=fg)
                x += w
    img = img.quantize(colors=64)
    img.save(out, optimize=True)


if __name__ == "__main__":
    main()
