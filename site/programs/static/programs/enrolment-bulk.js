// 学员管理's bulk decisions (programs.admin_enrolment.BulkView): "全选本页" ticks or clears the page's
// boxes in place and the form says how many are ticked. Without this script the link loads the same
// page with every box ticked (?select=page), and the form posts just the same.
(function () {
  "use strict";
  var form = document.getElementById("enrolment-bulk");
  if (!form) return;
  var toggle = form.querySelector("[data-select-page]");
  var count = form.querySelector("[data-selected-count]");
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[type="checkbox"][form="enrolment-bulk"]'));

  function ticked() {
    return boxes.filter(function (box) {
      return box.checked;
    }).length;
  }

  function update() {
    var n = ticked();
    var all = boxes.length > 0 && n === boxes.length;
    toggle.textContent = all ? "取消全选" : "全选本页";
    toggle.setAttribute("aria-pressed", all ? "true" : "false");
    count.textContent = n ? "已选 " + n + " 人" : "";
  }

  toggle.setAttribute("role", "button");
  toggle.addEventListener("click", function (event) {
    event.preventDefault();
    var all = ticked() === boxes.length;
    boxes.forEach(function (box) {
      box.checked = !all;
    });
    update();
  });
  boxes.forEach(function (box) {
    box.addEventListener("change", update);
  });
  form.addEventListener("submit", function (event) {
    if (!ticked()) {
      event.preventDefault();
      count.textContent = "请先勾选要处理的报名人。";
    }
  });
  update();
})();
