// The four views (network, evidence gap map, compare, what works here) as tabs: one panel shown at a
// time, the others keep what they drew. Arrow keys move between the tabs.
export const VIEWS = ["network", "gap-map", "compare", "recommend"];
export const views = { current: "network", listeners: new Set() };

export function showView(name) {
  if (!VIEWS.includes(name)) return;
  views.current = name;
  for (const view of VIEWS) {
    const selected = view === name;
    document.getElementById(`${view}-view`).hidden = !selected;
    const tab = document.getElementById(`tab-${view}`);
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  document.body.dataset.view = name;
  for (const listener of views.listeners) listener(name);
}

export function onViewChange(listener) {
  views.listeners.add(listener);
}

export function buildViews() {
  VIEWS.forEach((view, i) => {
    const tab = document.getElementById(`tab-${view}`);
    tab.addEventListener("click", () => showView(view));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = VIEWS[(i + step + VIEWS.length) % VIEWS.length];
      showView(next);
      document.getElementById(`tab-${next}`).focus();
    });
  });
}
