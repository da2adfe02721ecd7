// The status line (loading progress, Ready, a boot error) and the notice over the plot
// (a bad URL value, a rejected edit). Text only: nothing shown here is ever markup.

const MAX_NOTICE_CHARS = 600;

export function createNotices({ status, statusText, statusProgress, notice, noticeText, noticeClose }) {
  noticeClose.addEventListener("click", () => clear());

  function clear() {
    notice.hidden = true;
    noticeText.textContent = "";
    delete notice.dataset.kind;
  }

  return {
    status(kind, text, fraction) {
      status.dataset.state = kind;
      statusText.textContent = text;
      statusProgress.hidden = kind !== "loading";
      if (fraction !== undefined) statusProgress.value = fraction;
    },
    show(text, kind = "warn") {
      noticeText.textContent = text.length > MAX_NOTICE_CHARS ? `${text.slice(0, MAX_NOTICE_CHARS)}…` : text;
      notice.dataset.kind = kind;
      notice.hidden = false;
    },
    clear,
    get kind() {
      return notice.dataset.kind ?? null;
    },
  };
}
