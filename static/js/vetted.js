// Vetted's own small script. Everything works without it; it only makes citation cards
// dismissable with Escape (WCAG 1.4.13) without moving focus.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const wrap = document.activeElement?.closest?.(".cite-wrap");
  document.querySelectorAll(".cite-wrap:hover, .cite-wrap:focus-within").forEach((el) => el.classList.add("dismissed"));
  if (wrap) wrap.classList.add("dismissed");
});
document.addEventListener("focusout", (event) => {
  event.target.closest?.(".cite-wrap")?.classList.remove("dismissed");
});
document.addEventListener("mouseout", (event) => {
  const wrap = event.target.closest?.(".cite-wrap");
  if (wrap && !wrap.contains(event.relatedTarget)) wrap.classList.remove("dismissed");
});
