// Keyboard review on both queues (pairs and proposed clusters): j/k move, Enter opens, / jumps to the filters,
// c and p switch to the cluster and pair queues keeping the filters.
const rows = [...document.querySelectorAll("#queue tbody tr[data-href]")];
let at = 0;
const mark = () => rows.forEach((row, i) => row.classList.toggle("current", i === at));
if (rows.length) mark();
document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, select, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "j" && at < rows.length - 1) { at++; mark(); rows[at].scrollIntoView({block: "nearest"}); }
  else if (event.key === "k" && at > 0) { at--; mark(); rows[at].scrollIntoView({block: "nearest"}); }
  else if (event.key === "Enter" && rows.length) { location.href = rows[at].dataset.href; }
  else if (event.key === "/") { event.preventDefault(); document.querySelector(".filters select").focus(); }
  else if (event.key === "c") { location.href = "/clusters" + location.search; }
  else if (event.key === "p") { location.href = "/" + location.search; }
});
rows.forEach((row) => row.addEventListener("click", () => { location.href = row.dataset.href; }));
