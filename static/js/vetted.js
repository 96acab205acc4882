// Vetted's own small script. Everything works without it: it marks the page as scripted (so the
// picker's submit button hides, since choosing a role swaps the wording at once), makes
// citation cards and glossary definitions dismissable with Escape (WCAG 1.4.13), and restores
// focus to the picker after a swap.
document.documentElement.classList.add("js");
const POPUPS = ".cite-wrap, .term";

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll(`.cite-wrap:hover, .cite-wrap:focus-within, .term:hover, .term:focus-within`)
    .forEach((el) => el.classList.add("dismissed"));
});
document.addEventListener("focusout", (event) => {
  event.target.closest?.(POPUPS)?.classList.remove("dismissed");
});
document.addEventListener("mouseout", (event) => {
  const popup = event.target.closest?.(POPUPS);
  if (popup && !popup.contains(event.relatedTarget)) popup.classList.remove("dismissed");
});
