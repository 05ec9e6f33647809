// JSON over HTTP to the queue server. Errors arrive as {code, message, message_en}; they are
// thrown as ApiError with those fields (a network failure is code 'network').
//
//   import { api, ApiError } from '/js/api.js';
//   const board = await api(`/api/halls/${hall}/board`);
//   await api(`/api/halls/${hall}/windows/5/call-next`, { method: 'POST', token, body: {} });
//   const name = await download(`/api/halls/${hall}/reports/day?format=csv`, token);  // saved by the browser

export class ApiError extends Error {
  constructor(status, code, message, message_en) {
    super(message);
    this.status = status;
    this.code = code;
    this.message_en = message_en;
  }
}

export async function api(path, { method = 'GET', body, token, timeout = 15000, headers = {} } = {}) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeout);
  const h = Object.assign({ Accept: 'application/json' }, headers);
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (token) h.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
                              signal: ctl.signal, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', '网络连接失败，请稍后重试', 'network error, please try again');
  } finally {
    clearTimeout(timer);
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    const d = data || {};
    throw new ApiError(res.status, d.code || `http_${res.status}`, d.message || `请求失败（${res.status}）`,
                       d.message_en || `request failed (${res.status})`);
  }
  return data;
}

// A file from the server (a report), saved by the browser under the name the server gives; returns
// that name. Errors as api() throws them.
export async function download(path, token) {
  let res;
  try {
    res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', '网络连接失败，请稍后重试', 'network error, please try again');
  }
  if (!res.ok) {
    const d = await res.json().catch(() => ({}));
    throw new ApiError(res.status, d.code || `http_${res.status}`, d.message || `请求失败（${res.status}）`,
                       d.message_en || `request failed (${res.status})`);
  }
  const blob = await res.blob();
  const name = (/filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '') || [])[1] || 'report';
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  return name;
}
