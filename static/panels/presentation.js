// The presentation layout (for a projector): the map, the loss chart and the rows of the
// shown balls on one screen in larger type, with only Landscape, lr, β and Play/Step/Reset
// left of the controls (static/layout-presentation.css). The header's Presentation button
// or the URL's present=1 turns it on; the button again, or Escape, turns it off. It only
// reads `state.present` and asks the session to change it.

export function createPresentation({ button, helpEl, store, actions }) {
  const root = document.documentElement;

  function show(state) {
    root.classList.toggle("presenting", Boolean(state.present));
    button.setAttribute("aria-pressed", String(Boolean(state.present)));
  }

  button.addEventListener("click", () => actions.present(!store.state.present));
  // Registered before the keyboard panel's listener: while the shortcut list is open,
  // Escape closes that list only (it is hidden once this listener has run).
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || !store.state?.present || !helpEl.hidden) return;
    if (e.target instanceof HTMLElement && e.target.closest(".opt-settings")) return; // closes that panel
    actions.present(false);
  });
  store.subscribe((state, patch) => {
    if ("present" in patch) show(state);
  });
  show(store.state);
  button.disabled = false;
}
