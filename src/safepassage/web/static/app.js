/* Safe Passage live map. Plain script, no build step; Leaflet (window.L) comes from the installed
 * xstatic-leaflet package. Every word shown comes from the catalogue of the chosen language
 * (/api/i18n/{lang}, or window.SAFEPASSAGE_OFFLINE in the offline file): this file holds none.
 * Data: /api/map (safepassage-map/1, see safepassage/services/map_view.py).
 */
(function () {
  "use strict";

  var OFFLINE = window.SAFEPASSAGE_OFFLINE || null;
  var LANGS = ["uk", "en"];
  var CLASS_WEIGHT = { motorway: 5, trunk: 5, primary: 4, secondary: 3.5, tertiary: 3, residential: 2 };
  var STATUS_COLOUR = {
    proposed: "#888", agreed: "#1f77b4", disputed: "#d68a00", open: "#2a9d3c",
    suspended: "#c0392b", closed: "#555"
  };
  var REVIEW_COLOUR = {
    verified: "#b30000", disputed: "#d68a00", rejected: "#999", unverifiable: "#7a5cc0",
    on_hold: "#555", draft: "#e0457b", unverified: "#e0457b"
  };

  var state = {
    lang: "en", texts: {}, bundle: null, t: 0, token: "", role: "viewer", api: {},
    layers: {}, visible: {}, playing: null, streamAbort: null, clicked: null
  };

  // ---- words -------------------------------------------------------------------------------
  function T(key, params) {
    var text = state.texts[key];
    if (text === undefined) { return key; }
    if (params) {
      Object.keys(params).forEach(function (name) {
        text = text.split("{" + name + "}").join(String(params[name]));
      });
    }
    return text;
  }
  // The text of `key` as DOM nodes; the `data` parameters (names written by sources) are wrapped in
  // <span translate="no"> so that nobody mistakes them for the page's own words.
  function Tnodes(key, params, data) {
    var holder = document.createElement("span");
    var text = state.texts[key] === undefined ? key : state.texts[key];
    text.split(/(\{[a-z_]+\})/).forEach(function (part) {
      var name = part.charAt(0) === "{" ? part.slice(1, -1) : null;
      if (name && params[name] !== undefined) {
        var span = document.createElement("span");
        span.textContent = String(params[name]);
        if (data.indexOf(name) >= 0) { span.setAttribute("translate", "no"); }
        holder.appendChild(span);
      } else {
        holder.appendChild(document.createTextNode(part));
      }
    });
    return holder;
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function byId(id) { return document.getElementById(id); }
  function number(n) { return Number(n).toLocaleString(state.lang === "uk" ? "uk-UA" : "en-GB"); }

  function chooseLanguage() {
    var asked = new URLSearchParams(window.location.search).get("lang");
    if (LANGS.indexOf(asked) >= 0) { return asked; }
    var saved = null;
    try { saved = window.localStorage.getItem("safepassage-lang"); } catch (e) { saved = null; }
    if (LANGS.indexOf(saved) >= 0) { return saved; }
    if (OFFLINE && LANGS.indexOf(OFFLINE.lang) >= 0) { return OFFLINE.lang; }
    var prefs = navigator.languages || [navigator.language || "en"];
    for (var i = 0; i < prefs.length; i++) {
      var base = String(prefs[i]).toLowerCase().split("-")[0];
      if (LANGS.indexOf(base) >= 0) { return base; }
    }
    return "en";
  }

  function loadTexts(lang) {
    if (OFFLINE) { return Promise.resolve(OFFLINE.catalogues[lang]); }
    return fetch("/api/i18n/" + lang).then(function (r) { return r.json(); });
  }

  function applyTexts() {
    document.documentElement.lang = state.lang;
    document.title = T("app.title");
    document.querySelectorAll("[data-i18n]").forEach(function (node) {
      node.textContent = T(node.getAttribute("data-i18n"));
    });
    document.querySelectorAll("[data-i18n-aria]").forEach(function (node) {
      node.setAttribute("aria-label", T(node.getAttribute("data-i18n-aria")));
    });
    if (zoom) { map.removeControl(zoom); }
    zoom = L.control.zoom({ zoomInTitle: T("map.zoom_in"), zoomOutTitle: T("map.zoom_out") }).addTo(map);
    byId("lang").value = state.lang;
    byId("lang").setAttribute("aria-label", T("control.language"));
    if (state.bundle) {
      fillSelect(byId("report-kind"), state.bundle.vocabulary.kinds, "kind.");
      fillSelect(byId("report-source-type"), state.bundle.vocabulary.source_types, "source_type.");
    }
  }

  function fillSelect(select, values, prefix) {
    var current = select.value;
    select.textContent = "";
    values.forEach(function (v) { select.appendChild(el("option", { value: v, text: T(prefix + v) })); });
    if (current) { select.value = current; }
  }

  // ---- time ----------------------------------------------------------------------------------
  function localText(seconds) {
    var b = state.bundle;
    var instant = new Date(Date.parse(b.start) + seconds * 1000);
    var zone = /^[A-Za-z]/.test(b.timezone) ? b.timezone : undefined;
    var opts = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", day: "2-digit", month: "2-digit" };
    if (zone) { opts.timeZone = zone; }
    var clock = new Intl.DateTimeFormat(state.lang === "uk" ? "uk-UA" : "en-GB", opts).format(instant);
    var offset = b.timezone;
    if (zone) {
      var parts = new Intl.DateTimeFormat("en-GB", { timeZone: zone, timeZoneName: "longOffset" })
        .formatToParts(instant);
      parts.forEach(function (p) { if (p.type === "timeZoneName") { offset = p.value.replace("GMT", "") || "+00:00"; } });
    }
    return clock + " (UTC" + offset + ")";
  }

  function isoAt(seconds) {
    var b = state.bundle;
    var zone = /^[A-Za-z]/.test(b.timezone) ? b.timezone : "UTC";
    var instant = new Date(Date.parse(b.start) + seconds * 1000);
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
      minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "longOffset"
    }).formatToParts(instant).forEach(function (p) { parts[p.type] = p.value; });
    var offset = (parts.timeZoneName || "GMT").replace("GMT", "") || "+00:00";
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute +
      ":" + parts.second + offset;
  }

  // ---- map ------------------------------------------------------------------------------------
  var map = L.map("map", { zoomControl: false, keyboard: true, preferCanvas: false, attributionControl: true });
  var zoom = null;
  map.attributionControl.setPrefix(false);

  var LAYER_ORDER = ["basemap", "corridors", "closures", "routes", "groups", "vehicles", "incidents", "origins",
    "destinations"];
  LAYER_ORDER.forEach(function (name) { state.layers[name] = L.layerGroup().addTo(map); state.visible[name] = true; });

  function drawBasemap() {
    var group = state.layers.basemap;
    group.clearLayers();
    state.bundle.basemap.roads.forEach(function (road) {
      var weight = CLASS_WEIGHT[road["class"]] || 1.5;
      var line = L.polyline(road.lines, {
        color: "#b9b2a5", weight: weight, className: "sp-road sp-road-" + road["class"], interactive: true
      });
      var label = (road.name || T("road.unnamed")) + " · " + T("road_class." + road["class"]);
      line.bindTooltip(label, { sticky: true });
      group.addLayer(line);
    });
    if (state.attribution) { map.attributionControl.removeAttribution(state.attribution); }
    state.attribution = T("map.attribution");
    map.attributionControl.addAttribution(state.attribution);
  }

  function drawCorridors() {
    var group = state.layers.corridors;
    group.clearLayers();
    state.bundle.corridors.forEach(function (c) {
      var colour = STATUS_COLOUR[c.status] || "#333";
      var open = (c.ceasefire_windows || []).some(function (w) { return w.start_s <= state.t && state.t < w.end_s; });
      var area = L.geoJSON(c.area, {
        style: { color: colour, weight: 2, fillOpacity: open ? 0.35 : 0.12, dashArray: open ? null : "6 4",
          className: "sp-corridor sp-status-" + c.status }
      });
      var windows = (c.ceasefire_windows || []).map(function (w) { return localText(w.start_s) + " – " + localText(w.end_s); });
      area.bindTooltip(c.name + " · " + T("status." + c.status) + (windows.length ? " · " + windows.join(", ") : ""));
      group.addLayer(area);
    });
  }

  function closureActive(c) {
    var from = c.from_s === null ? -Infinity : c.from_s;
    var to = c.to_s === null ? Infinity : c.to_s;
    return from <= state.t && state.t < to;
  }

  function drawClosures() {
    var group = state.layers.closures;
    group.clearLayers();
    state.bundle.closures.forEach(function (c) {
      if (!closureActive(c)) { return; }
      var line = L.polyline(c.lines, { color: "#c0392b", weight: 4, opacity: 0.8, className: "sp-closure" });
      var span = (c.from_s === null ? "…" : localText(c.from_s)) + " – " + (c.to_s === null ? "…" : localText(c.to_s));
      line.bindTooltip(T("closure.tooltip", { reason: c.reason, span: span, links: c.links }), { sticky: true });
      group.addLayer(line);
    });
  }

  function drawRoutes() {
    var group = state.layers.routes;
    group.clearLayers();
    state.bundle.routes.forEach(function (r) {
      var line = L.polyline(r.line, { color: "#2a6fdb", weight: 2 + Math.min(4, r.people / 400), opacity: 0.6,
        className: "sp-route" });
      line.bindTooltip(T("route.tooltip", { origin: r.origin, destination: r.destination, people: number(r.people) }),
        { sticky: true });
      group.addLayer(line);
    });
  }

  function groupPosition(m) {
    var times = m.entry_times_s;
    if (!times || state.t < times[0] || state.t >= times[times.length - 1]) { return null; }
    var nodes = state.bundle.routes[m.route].nodes;
    for (var i = 0; i + 1 < times.length; i++) {
      if (state.t < times[i + 1]) {
        var f = (state.t - times[i]) / Math.max(1e-9, times[i + 1] - times[i]);
        return [nodes[i][0] + f * (nodes[i + 1][0] - nodes[i][0]), nodes[i][1] + f * (nodes[i + 1][1] - nodes[i][1])];
      }
    }
    return null;
  }

  function drawGroups() {
    var group = state.layers.groups;
    group.clearLayers();
    var moving = 0;
    state.bundle.movements.forEach(function (m) {
      var at = groupPosition(m);
      if (!at) { return; }
      moving += 1;
      var dot = L.circleMarker(at, { radius: 4 + Math.min(6, m.people / 20), color: "#0b3d91", fillColor: "#4f8ff7",
        fillOpacity: 0.9, weight: 1, className: "sp-group" });
      dot.bindTooltip(T("group.tooltip", { people: number(m.people), origin: m.origin, destination: m.destination,
        vehicles: number(m.vehicles || 0) }));
      group.addLayer(dot);
    });
    var b = state.bundle;
    byId("plan-summary").textContent = b.plan
      ? (b.viewer === "coordinator" ? T("plan.moving", { groups: number(moving) }) : T("plan.restricted"))
        + " " + T("plan.summary", { movements: number(b.plan.movements), people: number(b.plan.people) })
      : T("plan.none");
  }

  // A vehicle of the dispatch schedule (coordinators only) is on the road at t when one of its legs
  // has entry_times_s[0] <= t < entry_times_s[last]; it is placed between the nodes it entered.
  function vehiclePosition(v) {
    for (var k = 0; k < v.legs.length; k++) {
      var leg = v.legs[k];
      var times = leg.entry_times_s;
      if (state.t < times[0] || state.t >= times[times.length - 1]) { continue; }
      for (var i = 0; i + 1 < times.length; i++) {
        if (state.t < times[i + 1]) {
          var f = (state.t - times[i]) / Math.max(1e-9, times[i + 1] - times[i]);
          var a = leg.nodes[i];
          var b = leg.nodes[i + 1];
          return { at: [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])], leg: leg };
        }
      }
    }
    return null;
  }

  function drawVehicles() {
    var group = state.layers.vehicles;
    group.clearLayers();
    var vehicles = state.bundle.vehicles || [];
    var moving = 0;
    vehicles.forEach(function (v) {
      var found = vehiclePosition(v);
      if (!found) { return; }
      moving += 1;
      var dot = L.circleMarker(found.at, { radius: 6, color: "#6b3a00", fillColor: "#f2a900", fillOpacity: 0.95,
        weight: 2, className: "sp-vehicle" });
      dot.bindTooltip(T("vehicle.tooltip", { vehicle: v.vehicle, seats: number(v.seats), trip: number(found.leg.trip),
        from: found.leg.from, to: found.leg.to }));
      group.addLayer(dot);
    });
    byId("vehicle-summary").textContent = vehicles.length
      ? T("vehicles.moving", { moving: number(moving), total: number(vehicles.length) }) : "";
  }

  function ageText(seconds) {
    var minutes = Math.round((state.t - seconds) / 60);
    if (minutes < 60) { return T("age.minutes", { n: minutes }); }
    return T("age.hours", { n: Math.round(minutes / 6) / 10 });
  }

  function drawIncidents() {
    var group = state.layers.incidents;
    group.clearLayers();
    state.bundle.incidents.forEach(function (inc) {
      if (inc.observed_s > state.t) { return; }
      var ageH = (state.t - inc.observed_s) / 3600;
      var opacity = Math.max(0.15, Math.min(0.9, inc.credibility * Math.pow(0.5, ageH / 3)));
      var colour = REVIEW_COLOUR[inc.review_state] || "#e0457b";
      var circle = L.circle([inc.lat, inc.lon], {
        radius: Math.max(25, inc.radius_m), color: colour, weight: 2, fillOpacity: opacity * 0.6,
        className: "sp-incident sp-review-" + inc.review_state
      });
      circle.bindTooltip(T("incident.tooltip", {
        kind: T("kind." + inc.kind), review: T("review." + inc.review_state),
        credibility: Math.round(inc.credibility * 100), age: ageText(inc.observed_s)
      }));
      circle.on("click", function () { showIncident(inc.id); });
      group.addLayer(circle);
    });
  }

  function waitingAt(o) {
    var gone = 0;
    o.departures.forEach(function (d) { if (d[0] <= state.t) { gone += d[1]; } });
    return o.people - gone;
  }
  function capacityLeftAt(d) {
    var taken = 0;
    d.arrivals.forEach(function (a) { if (a[0] <= state.t) { taken += a[1]; } });
    return d.capacity - taken;
  }

  function drawPlaces() {
    var origins = state.layers.origins;
    origins.clearLayers();
    state.bundle.origins.forEach(function (o) {
      var waiting = waitingAt(o);
      var m = L.circleMarker([o.lat, o.lon], { radius: 6 + Math.sqrt(waiting) / 4, color: "#7a3e00",
        fillColor: "#f39c12", fillOpacity: 0.9, weight: 2, className: "sp-origin" });
      m.bindTooltip(T("origin.tooltip", { name: o.name, waiting: number(waiting), people: number(o.people) }),
        { permanent: false });
      origins.addLayer(m);
    });
    var dests = state.layers.destinations;
    dests.clearLayers();
    state.bundle.destinations.forEach(function (d) {
      var left = capacityLeftAt(d);
      var m = L.circleMarker([d.lat, d.lon], { radius: 8, color: "#145a32", fillColor: "#27ae60",
        fillOpacity: 0.9, weight: 2, className: "sp-destination" });
      m.bindTooltip(T("destination.tooltip", { name: d.name, left: number(left), capacity: number(d.capacity) }));
      dests.addLayer(m);
    });
  }

  function drawTimeDependent() {
    byId("time-text").textContent = localText(state.t);
    byId("time").setAttribute("aria-valuetext", localText(state.t));
    drawCorridors();
    drawClosures();
    drawGroups();
    drawVehicles();
    drawIncidents();
    drawPlaces();
  }

  function drawAll() {
    drawBasemap();
    drawRoutes();
    drawTimeDependent();
    drawPanel();
    drawLayerToggles();
  }

  // ---- layer toggles and legend ---------------------------------------------------------------
  function drawLayerToggles() {
    var box = byId("layer-toggles");
    box.querySelectorAll("div").forEach(function (n) { n.remove(); });
    LAYER_ORDER.forEach(function (name) {
      if (name === "vehicles" && !state.bundle.vehicles) { return; }  // no schedule, or not a coordinator
      var id = "toggle-" + name;
      var input = el("input", { type: "checkbox", id: id });
      input.checked = state.visible[name];
      input.addEventListener("change", function () {
        state.visible[name] = input.checked;
        if (input.checked) { state.layers[name].addTo(map); } else { map.removeLayer(state.layers[name]); }
      });
      box.appendChild(el("div", {}, [input, el("label", { "for": id, text: T("layer." + name) })]));
    });
    var legend = byId("legend");
    legend.textContent = "";
    var list = el("ul", { "class": "legend" });
    Object.keys(STATUS_COLOUR).forEach(function (s) {
      list.appendChild(el("li", {}, [el("span", { "class": "swatch", style: "background:" + STATUS_COLOUR[s] }),
        document.createTextNode(T("status." + s))]));
    });
    legend.appendChild(el("p", { text: T("legend.corridors") }));
    legend.appendChild(list);
  }

  // ---- side panel -----------------------------------------------------------------------------
  function drawPanel() {
    var verdicts = byId("verdicts");
    verdicts.textContent = "";
    state.bundle.corridors.forEach(function (c) {
      var box = el("article", { "class": "corridor", id: "corridor-" + c.id });
      box.appendChild(el("h3", { text: c.name, translate: "no" }));
      box.appendChild(el("p", { text: T("corridor.status", { status: T("status." + c.status) }) }));
      (c.ceasefire_windows || []).forEach(function (w) {
        box.appendChild(el("p", { text: T("corridor.window", { start: localText(w.start_s), end: localText(w.end_s) }) }));
      });
      if (!c.verdicts.length) { box.appendChild(el("p", { "class": "muted", text: T("verdict.none") })); }
      c.verdicts.forEach(function (v) {
        var item = el("div", { "class": "verdict verdict-" + v.outcome });
        item.appendChild(el("p", { text: T("verdict.line", {
          outcome: T("outcome." + v.outcome), score: Math.round(v.violation_score * 100),
          confidence: Math.round(v.confidence * 100) }) }));
        // worded from the structured fields; the rule's English sentence stays in v.reason (data only)
        item.appendChild(el("p", { "class": "muted", text: T("verdict.counts", {
          evidence: v.evidence_count, decisive: v.decisive_count, buffer: Math.round(c.buffer_m) }) }));
        if (v.withheld_count) {
          item.appendChild(el("p", { "class": "muted", text: T("verdict.withheld", { count: v.withheld_count }) }));
        }
        var ev = el("ul", {});
        v.evidence.forEach(function (e) {
          if (e.withheld) {
            ev.appendChild(el("li", { text: T("evidence.withheld_line", { kind: T("kind." + e.kind),
              time: localText((Date.parse(e.observed_at) - Date.parse(state.bundle.start)) / 1000),
              weight: Math.round(e.weight * 100) }) }));
            return;
          }
          var li = el("li", {}, [Tnodes("evidence.line", { kind: T("kind." + e.kind), sources: e.sources.join(", "),
            distance: Math.round(e.distance_to_route_m), weight: Math.round(e.weight * 100) }, ["sources"])]);
          var link = el("button", { type: "button", "class": "link", text: T("evidence.show") });
          link.addEventListener("click", function () { showIncident(e.incident_id); });
          li.appendChild(link);
          ev.appendChild(li);
        });
        if (v.evidence.length) { item.appendChild(el("p", { text: T("evidence.heading") })); item.appendChild(ev); }
        box.appendChild(item);
      });
      verdicts.appendChild(box);
    });

    var incidents = byId("incidents");
    incidents.textContent = "";
    state.bundle.incidents.slice().sort(function (a, b) { return b.observed_s - a.observed_s; }).forEach(function (inc) {
      var box = el("article", { "class": "incident", id: "incident-" + inc.id, tabindex: "-1" });
      box.appendChild(el("h3", { text: T("incident.heading", { kind: T("kind." + inc.kind), time: localText(inc.observed_s) }) }));
      box.appendChild(el("p", { text: T("incident.summary", { review: T("review." + inc.review_state),
        credibility: Math.round(inc.credibility * 100), sources: inc.reports.length }) }));
      var table = el("table", { "class": "reports" });
      var rows = [
        ["report.col_source", function (r) { return r.source_name; }, true],
        ["report.col_source_type", function (r) { return T("source_type." + r.source_type); }],
        ["report.col_review", function (r) { return T("review." + r.review_state); }],
        ["report.col_credibility", function (r) { return Math.round(r.credibility * 100) + " %"; }],
        ["report.col_observed", function (r) { return r.observed_at.replace("T", " ").slice(0, 16) + r.observed_at.slice(-6); }],
        ["report.col_fatalities", function (r) { return r.fatalities === null ? "–" : number(r.fatalities); }],
        ["report.col_note", function (r) { return r.description || "–"; }, true]
      ];
      var caption = el("caption", { "class": "sr-only", text: T("report.table_caption") });
      table.appendChild(caption);
      rows.forEach(function (row) {
        var tr = el("tr", {}, [el("th", { scope: "row", text: T(row[0]) })]);
        inc.reports.forEach(function (r) {
          // data as written by its source (names, notes) is marked translate="no"
          tr.appendChild(el("td", row[2] ? { text: row[1](r), translate: "no" } : { text: row[1](r) }));
        });
        table.appendChild(tr);
      });
      box.appendChild(el("div", { "class": "scroll" }, [table]));
      incidents.appendChild(box);
    });
  }

  function showIncident(id) {
    var node = byId("incident-" + id);
    if (node) { node.scrollIntoView({ block: "nearest" }); node.focus(); }
  }

  // ---- time slider ----------------------------------------------------------------------------
  function setTime(seconds) {
    state.t = Math.max(0, Math.min(state.bundle.horizon_s, seconds));
    byId("time").value = String(state.t);
    drawTimeDependent();
  }
  byId("time").addEventListener("input", function (e) { setTime(Number(e.target.value)); });
  byId("play").addEventListener("click", function () {
    if (state.playing) {
      window.clearInterval(state.playing); state.playing = null;
      byId("play").textContent = T("time.play");
      return;
    }
    byId("play").textContent = T("time.pause");
    state.playing = window.setInterval(function () {
      if (state.t >= state.bundle.horizon_s) { byId("play").click(); return; }
      setTime(state.t + 300);
    }, 250);
  });

  // ---- data, live stream, reports -------------------------------------------------------------
  function authHeaders() {
    var headers = { "Accept-Language": state.lang };
    if (state.token) { headers.Authorization = "Bearer " + state.token; }
    return headers;
  }

  function loadBundle() {
    if (OFFLINE) { return Promise.resolve(OFFLINE.bundle); }
    return fetch("/api/map", { headers: authHeaders() }).then(function (r) {
      if (!r.ok) { return r.json().then(function (e) { throw new Error(e.message || r.statusText); }); }
      return r.json();
    });
  }

  function receive(bundle, first) {
    state.bundle = bundle;
    state.api = bundle.api || {};
    state.role = bundle.role || "viewer";
    byId("time").max = String(bundle.horizon_s);
    byId("role").textContent = OFFLINE ? T("role.offline") : T("role." + state.role);
    applyTexts();
    if (first || !state.fitted) {
      map.fitBounds(bundle.bounds);
      state.fitted = true;
    }
    drawAll();
    document.body.setAttribute("data-ready", "1");
  }

  function refresh() {
    return loadBundle().then(function (b) { receive(b, false); }).catch(function (err) {
      byId("live").textContent = T("live.error", { message: err.message });
    });
  }

  var refreshTimer = null;
  function refreshSoon() {
    if (refreshTimer) { return; }
    refreshTimer = window.setTimeout(function () { refreshTimer = null; refresh(); }, 200);
  }

  // The stream is read with fetch (an EventSource cannot send the token); each event reloads the data.
  function subscribe() {
    if (OFFLINE || !state.api.stream) { return; }
    if (state.streamAbort) { state.streamAbort.abort(); }
    var controller = new AbortController();
    state.streamAbort = controller;
    fetch(state.api.stream, { headers: Object.assign({ Accept: "text/event-stream" }, authHeaders()),
      signal: controller.signal }).then(function (response) {
      if (!response.ok || !response.body) { throw new Error(String(response.status)); }
      byId("live").textContent = T("live.on");
      document.body.setAttribute("data-live", "1");
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { throw new Error("closed"); }
          buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, "\n");
          var events = buffer.split("\n\n");
          buffer = events.pop();
          events.forEach(function (block) {
            var isData = block.split("\n").some(function (line) { return line.indexOf("data:") === 0; });
            if (isData) { refreshSoon(); }
          });
          return pump();
        });
      }
      return pump();
    }).catch(function (err) {
      if (controller.signal.aborted) { return; }
      document.body.removeAttribute("data-live");
      byId("live").textContent = T("live.off");
      window.setTimeout(subscribe, 3000);
    });
  }

  function openReport(latlng) {
    state.clicked = latlng;
    byId("report-form").hidden = false;
    byId("report-where").textContent = T("report.where", { lat: latlng.lat.toFixed(5), lon: latlng.lng.toFixed(5) });
    byId("report-time").value = isoAt(state.t);
    byId("report-kind").focus();
  }

  map.on("click", function (e) {
    if (OFFLINE || !state.token) { return; }
    openReport(e.latlng);
  });
  byId("report-here").addEventListener("click", function () {
    if (!state.token) { byId("report-result").textContent = T("report.need_token"); return; }
    openReport(map.getCenter());
  });
  byId("report-cancel").addEventListener("click", function () { byId("report-form").hidden = true; });
  byId("report-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var body = {
      kind: byId("report-kind").value,
      at: byId("report-time").value,
      lat: Number(state.clicked.lat.toFixed(6)),
      lon: Number(state.clicked.lng.toFixed(6)),
      radius_m: 100,
      source: byId("report-source").value,
      source_type: byId("report-source-type").value,
      description: byId("report-note").value
    };
    fetch(state.api.reports, {
      method: "POST",
      headers: Object.assign({ "Content-Type": "application/json" }, authHeaders()),
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (answer) {
        if (!r.ok) { throw new Error(answer.message || String(r.status)); }
        byId("report-form").hidden = true;
        byId("report-result").textContent = T("report.sent");
        refreshSoon();
      });
    }).catch(function (err) {
      byId("report-result").textContent = T("report.failed", { message: err.message });
    });
  });

  byId("token-save").addEventListener("click", function () {
    state.token = byId("token").value.trim();
    try { window.localStorage.setItem("safepassage-token", state.token); } catch (e) { /* private mode */ }
    refresh().then(subscribe);
  });

  byId("lang").addEventListener("change", function () {
    state.lang = byId("lang").value;
    try { window.localStorage.setItem("safepassage-lang", state.lang); } catch (e) { /* private mode */ }
    loadTexts(state.lang).then(function (texts) {
      state.texts = texts;
      applyTexts();
      if (state.bundle) { receive(state.bundle, false); }
    });
  });

  // ---- start ----------------------------------------------------------------------------------
  if (OFFLINE) {
    byId("online-controls").hidden = true;
    byId("report-section").hidden = true;
  } else {
    try { state.token = window.localStorage.getItem("safepassage-token") || ""; } catch (e) { state.token = ""; }
    byId("token").value = state.token;
  }
  state.lang = chooseLanguage();
  loadTexts(state.lang).then(function (texts) {
    state.texts = texts;
    applyTexts();
    return loadBundle();
  }).then(function (bundle) {
    receive(bundle, true);
    subscribe();
  }).catch(function (err) {
    byId("live").textContent = T("live.error", { message: err.message });
    document.body.setAttribute("data-error", "1");
  });

  // For tests and tools: the drawn features per layer and the slider.
  window.safepassageMap = {
    counts: function () {
      var out = {};
      LAYER_ORDER.forEach(function (name) { out[name] = state.layers[name].getLayers().length; });
      return out;
    },
    setTime: setTime,
    state: state
  };
})();
