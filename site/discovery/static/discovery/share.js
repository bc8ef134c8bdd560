// The share block's print button: shown only when this script runs (without JavaScript the hint beside
// it tells how to print). The print stylesheet (discovery.css) does the rest.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
  const hint = button.parentElement.querySelector("[data-print-hint]");
  if (hint) hint.hidden = true;
});
