// A panel's own stylesheets, added to <head> once (however many panels ask).

export function ensureStylesheets(hrefs) {
  for (const href of hrefs) {
    if ([...document.querySelectorAll("link[rel=stylesheet]")].some((link) => link.href === href)) continue;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.append(link);
  }
}
