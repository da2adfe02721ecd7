"""Issue 9: links never break the page. Generated hashes (random keys and values, huge and
tiny numbers, NaN/Infinity, unicode, 10 KB strings, repeated keys, percent-encoding,
markup, javascript:, __proto__, line breaks and URLs) on load and on hashchange: no
uncaught or console error, the controls stay usable, the notice stays short and clean,
and the final URL describes exactly the scene shown. Plus races of rapid hash changes."""

from __future__ import annotations

import random
from urllib.parse import quote

import landscapes
import optimizers

KEYS = ["landscape", "lr", "beta", "show", "speed", "pspeed", "field", "start", "cmap",
        "noise", "arrows", "adam.betas", "sgd.lr", "rprop.etas", "adam.amsgrad", "nobody.lr", "adam.__proto__",
        "__proto__", "constructor", "x", "", "LR", "lr[]", "😀"]
NASTY = ["", "NaN", "Infinity", "-Infinity", "1e400", "1e-400", "-0", "0x10", "1_000", "  0.5 ",
         "<img src=x onerror=alert(1)>", "javascript:alert(1)", "__proto__", "%", "%zz", "%00",
         "line\nbreak", "SECURITY WARNING\nvisit https://evil.example", "\u202e\u200b", "😀" * 20,
         "9" * 400, "1," * 50, "5,5", "-8,7", ",", "1e308,1e308", "a" * 10_000, "../../etc/passwd",
         "ravine&lr=5", "all", "adam", "magma", "1", "0.99", "1e-4", "50", "2"]


def generated_hashes(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    valid = {"landscape": landscapes.names(), "show": ["all", "gradient", "escape", "more", "none", "sgd,adam,lion",
                                                            *optimizers.names()],
             "cmap": ["magma", "viridis"], "lr": ["0.01", "0.002", "0.3"], "beta": ["0", "0.5", "0.95"],
             "speed": ["1", "7", "50"], "pspeed": ["0.5", "2"], "field": ["0", "1"], "start": ["0,0", "1,1"],
             "noise": ["0", "0.5", "3"], "arrows": ["0", "1"], "adam.betas": ["0.9,0.99", "0.5,0.5"],
             "sgd.lr": ["0.01", "0.3"], "rprop.etas": ["0.5,1.2", "0.4,1.3"], "adam.amsgrad": ["0", "1"]}
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(0, 6)):
            key = rng.choice(KEYS)
            value = rng.choice(valid[key]) if key in valid and rng.random() < 0.4 else rng.choice(NASTY)
            raw = rng.random() < 0.2  # sometimes not percent-encoded at all
            parts.append(f"{key}={value}" if raw else f"{quote(key)}={quote(value)}")
        out.append("&".join(parts))
    return out


CHECK = """async (hashes) => {
  const pg = window.__playground;
  const bad = [];
  for (const h of hashes) {
    location.hash = h;
    await new Promise((r) => setTimeout(r, 0));  // hashchange is queued as a task
    await pg.idle();
    const notice = document.querySelector('#notice');
    const text = notice.hidden ? '' : document.querySelector('#notice-text').textContent;
    const s = pg.state();
    const url = new URLSearchParams(location.hash.slice(1));
    const shown = url.get('landscape') === s.landscape && Number(url.get('lr')) === s.lr
      && Number(url.get('beta')) === s.beta && url.get('show') === s.show
      && Number(url.get('speed')) === s.speed && pg.snapshot() !== null
      && Number(url.get('noise') ?? 0) === s.noise && (url.get('arrows') === '1') === s.arrows
      && [...url.keys()].filter((k) => k.includes('.')).every((k) => s.settings[k.split('.')[0]]?.[k.split('.')[1]] !== undefined);
    const disabled = document.querySelector('#play').disabled || document.querySelector('#landscape').disabled;
    if (text.length > 700 || /[\\u0000-\\u0008\\u000b-\\u001f]/.test(text) || !shown || disabled
        || /NaN|Infinity/.test(document.querySelector('#legend').textContent)) {
      bad.push({ h: h.slice(0, 80), len: text.length, shown, disabled });
    }
  }
  return bad;
}"""


def test_a_thousand_generated_hashes_on_a_live_page(open_playground):
    pg = open_playground()
    pg.pause()
    hashes = generated_hashes(1000)
    bad = pg.page.evaluate(CHECK, hashes)
    assert bad == [], bad[:5]
    assert pg.errors == [], pg.errors[:5]
    box = pg.page.locator("#notice").bounding_box()
    assert box is None or box["height"] < 250


def test_generated_hashes_on_load(open_playground):
    for h in generated_hashes(25, seed=11):
        pg = open_playground(h, ready=False)
        pg.wait_ready()
        assert pg.errors == [], (h[:80], pg.errors[:3])
        text = pg.text("#notice-text") if pg.page.is_visible("#notice") else ""
        assert len(text) <= 700 and "\n\n" not in text
        assert "SECURITY WARNING\nvisit" not in text
        s = pg.state()
        assert f"landscape={s['landscape']}" in pg.page.url and f"lr={s['lr']}" in pg.page.url
        pg.page.close()


def test_a_bad_start_in_a_link_is_named_and_the_page_starts(open_playground):
    for h in ("landscape=ravine&start=-8,7", "start=", "start=5,5", "start=1e999,2"):
        pg = open_playground(h)
        assert "start=" in pg.text("#notice") and "replaced by the landscape's start" in pg.text("#notice")
        assert pg.state()["start"] == list(landscapes.get(pg.state()["landscape"]).start)
        assert pg.errors == []
        pg.page.close()


def test_rapid_hash_changes_end_in_the_last_scene(open_playground):
    pg = open_playground()
    pg.pause()
    for delay in (0, 3, 8, 15, 20):
        pg.page.evaluate(
            """async (delay) => {
                location.hash = 'landscape=booth';
                await new Promise((r) => setTimeout(r, delay));
                location.hash = 'landscape=ravine&lr=0.0006';
                await new Promise((r) => setTimeout(r, 0));
                await window.__playground.idle();
            }""", delay)
        pg.page.wait_for_timeout(100)
        pg.idle()
        s = pg.state()
        assert (s["landscape"], s["lr"]) == ("ravine", 0.0006), (delay, s)
        assert "landscape=ravine" in pg.page.url and "lr=0.0006" in pg.page.url, pg.page.url
    assert pg.errors == []


def test_back_right_after_a_switch_shows_the_previous_scene(open_playground):
    pg = open_playground("landscape=bowl")
    pg.pause()
    for _ in range(3):
        pg.page.evaluate("location.hash = 'landscape=booth'")
        pg.page.go_back()
        pg.page.wait_for_timeout(150)
        pg.idle()
        s = pg.state()
        assert s["landscape"] == "bowl", s
        assert "landscape=bowl" in pg.page.url, pg.page.url
    assert pg.errors == []
