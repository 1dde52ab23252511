// Report form: fill the hidden lat/lon fields from the phone's location.
(function () {
  var button = document.getElementById("locate");
  if (!button) return;
  var status = document.getElementById("location");
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = "此设备不支持定位,请填写地址"; return; }
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("id_lat").value = pos.coords.latitude.toFixed(6);
      document.getElementById("id_lon").value = pos.coords.longitude.toFixed(6);
      status.textContent = "已定位 " + pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
    }, function () { status.textContent = "定位失败,请填写地址"; }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
