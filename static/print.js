// The job aid's button opens the browser's print dialog, where "Save as PDF" is one of the printers.
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
