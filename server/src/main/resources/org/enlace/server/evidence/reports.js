// The /reports page: month, quarter or year; establishment and link lists from the inventory
// API (same origin, so the browser's HTTP Basic sign-in is sent); no framework.
(function () {
  'use strict';
  var form = document.getElementById('evidence-form');
  var kind = document.getElementById('period-kind');
  var establishment = document.getElementById('establishment');
  var link = document.getElementById('link');
  var linkField = document.getElementById('link-field');
  var status = document.getElementById('status');
  var isp = document.getElementById('isp');
  var ispField = document.getElementById('isp-field');
  var kinds = ['month', 'quarter', 'year'];

  function say(text, isError) {
    status.textContent = text || '';
    status.className = isError ? 'status error' : 'status';
  }

  function showPeriod() {
    kinds.forEach(function (k) {
      var field = document.getElementById('period-' + k + '-field');
      var select = document.getElementById('period-' + k);
      var on = kind.value === k;
      field.hidden = !on;
      select.disabled = !on;
    });
  }

  function getJson(path) {
    return fetch(path, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      });
  }

  function addOption(select, value, label) {
    var o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    select.appendChild(o);
  }

  function clearLinks() {
    while (link.options.length > 1) { link.remove(1); }
    link.value = '';
    linkField.hidden = true;
  }

  function loadEstablishments() {
    say(form.dataset.loading);
    return getJson('api/v1/establishments').then(function (list) {
      list.forEach(function (e) { addOption(establishment, e.code, e.name + ' (' + e.code + ')'); });
      say('');
    }).catch(function () { say(form.dataset.loaderror, true); });
  }

  function loadLinks() {
    clearLinks();
    var code = establishment.value;
    if (!code) { return Promise.resolve(); }
    return getJson('api/v1/establishments/' + encodeURIComponent(code) + '/links')
      .then(function (links) {
        if (establishment.value !== code) { return; }
        links.forEach(function (l) {
          var label = form.dataset.linkoption.replace('{0}', l.id).replace('{1}', l.ispName)
            + ' – ' + l.contractedDownMbps + '/' + l.contractedUpMbps + ' Mbit/s';
          addOption(link, String(l.id), label);
        });
        linkField.hidden = links.length === 0;
      }).catch(function () { clearLinks(); });
  }

  // The ISPs for the provider's report; without them the field stays hidden.
  function loadIsps() {
    return getJson('api/v1/evidence/isps').then(function (list) {
      list.forEach(function (i) {
        addOption(isp, i.name, isp.dataset.option.replace('{0}', i.name)
          .replace('{1}', i.links).replace('{2}', i.establishments));
      });
      ispField.hidden = list.length === 0;
    }).catch(function () { ispField.hidden = true; });
  }

  // A provider's report covers all its links: the establishment and link do not apply.
  function showIsp() {
    var on = !!isp.value;
    establishment.disabled = on;
    link.disabled = on;
  }

  // The API takes an establishment, a link or an ISP, one of them; empty choices are left out of
  // the URL.
  form.addEventListener('submit', function () {
    var off = [];
    if (isp.value) { off.push(establishment, link); }
    if (!isp.value) { off.push(isp); }
    if (link.value) { off.push(establishment); }
    if (!link.value) { off.push(link); }
    if (!establishment.value) { off.push(establishment); }
    ['preparedBy', 'preparedRole', 'reviewedBy', 'reviewedRole'].forEach(function (id) {
      var input = document.getElementById(id);
      if (input && !input.value.trim()) { off.push(input); }
    });
    off.forEach(function (el) { el.disabled = true; });
    setTimeout(function () {
      off.forEach(function (el) { el.disabled = false; });
      showIsp();
    }, 0);
  });

  document.getElementById('period-kind-field').hidden = false;
  kind.addEventListener('change', showPeriod);
  establishment.addEventListener('change', loadLinks);
  isp.addEventListener('change', showIsp);
  showPeriod();
  form.dataset.ready = 'true';
  Promise.all([loadEstablishments(), loadIsps()])
    .then(function () { form.dataset.loaded = 'true'; });
}());
