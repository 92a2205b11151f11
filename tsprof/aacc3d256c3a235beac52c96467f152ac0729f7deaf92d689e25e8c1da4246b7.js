//tsprof-sha256:79c98d905bc74013bc18737e82c18c0c7c419041f28895ce839e8444e217a5ff
var __tsp_x = globalThis.__tsprof.registerFile({ "file": "/work/wt/robust/fixtures/line/profileme.ts", "functions": [{ "name": "profileWrapper", "line": 2, "bodyLine": 3, "endLine": 9, "entrySlot": 0, "suspends": false }], "slots": [{ "line": 3, "fn": 0, "leader": 0, "call": false }, { "line": 4, "fn": 0, "leader": 1, "call": true }, { "line": 5, "fn": 0, "leader": 1, "call": true }, { "line": 6, "fn": 0, "leader": 1, "call": false }, { "line": 7, "fn": 0, "leader": 1, "call": false }, { "line": 8, "fn": 0, "leader": 1, "call": true }] }), __tsp_c = __tsp_x.counters, __tsp_s = __tsp_x.stack, __tsp_b = __tsp_x.base, __tsp_e = __tsp_x.escapes;
function profileWrapper() {
  __tsp_c[0]++;
  const __tsp_d = ++__tsp_s[0];
  __tsp_s[__tsp_d] = 0;
  let __tsp_v;
  try {
    __tsp_c[1]++;
    __tsp_s[__tsp_d] = __tsp_b + 1;
    let x = new Array(2048 * 2048).fill(1);
    __tsp_s[__tsp_d] = 0;
    __tsp_s[__tsp_d] = __tsp_b + 2;
    let a = String(x[0].toFixed(1));
    __tsp_s[__tsp_d] = 0;
    a += "\nis a one\n";
    x = null;
    __tsp_s[__tsp_d] = __tsp_b + 5;
    console.log(a);
    __tsp_s[__tsp_d] = 0;
  } catch (__tsp_err) {
    const __tsp_k = __tsp_s[__tsp_d];
    if (__tsp_k > 0) {
      __tsp_e[__tsp_k - __tsp_b]++;
      __tsp_s[__tsp_d] = 0;
    }
    throw __tsp_err;
  } finally {
    __tsp_s[0] = __tsp_d - 1;
  }
}
profileWrapper();
//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbIi93b3JrL3d0L3JvYnVzdC9maXh0dXJlcy9saW5lL3Byb2ZpbGVtZS50cyJdLCJtYXBwaW5ncyI6IkFBQUEsSUFBQSxVQUFBLFdBQUEsU0FBQSxhQUFBLEVBQUEsUUFBQSw4Q0FBQSxhQUFBLENBQUEsRUFBQSxRQUFBLGtCQUFBLFFBQUEsR0FBQSxZQUFBLEdBQUEsV0FBQSxHQUFBLGFBQUEsR0FBQSxZQUFBLE1BQUEsQ0FBQSxHQUFBLFNBQUEsQ0FBQSxFQUFBLFFBQUEsR0FBQSxNQUFBLEdBQUEsVUFBQSxHQUFBLFFBQUEsTUFBQSxHQUFBLEVBQUEsUUFBQSxHQUFBLE1BQUEsR0FBQSxVQUFBLEdBQUEsUUFBQSxLQUFBLEdBQUEsRUFBQSxRQUFBLEdBQUEsTUFBQSxHQUFBLFVBQUEsR0FBQSxRQUFBLEtBQUEsR0FBQSxFQUFBLFFBQUEsR0FBQSxNQUFBLEdBQUEsVUFBQSxHQUFBLFFBQUEsTUFBQSxHQUFBLEVBQUEsUUFBQSxHQUFBLE1BQUEsR0FBQSxVQUFBLEdBQUEsUUFBQSxNQUFBLEdBQUEsRUFBQSxRQUFBLEdBQUEsTUFBQSxHQUFBLFVBQUEsR0FBQSxRQUFBLEtBQUEsQ0FBQSxFQUFBLENBQUEsR0FBQSxVQUFBLFFBQUEsVUFBQSxVQUFBLFFBQUEsT0FBQSxVQUFBLFFBQUEsTUFBQSxVQUFBLFFBQUE7QUFFQSxTQUFTLGlCQUFpQjtBQUFDLFVBQUEsQ0FBQTtBQUFBLFFBQUEsVUFBQSxFQUFBLFFBQUEsQ0FBQTtBQUFBLFVBQUEsT0FBQSxJQUFBO0FBQUEsTUFBQTtBQUFBLE1BQUE7QUFDekIsWUFBQSxDQUFBO0FBQUEsWUFBQSxPQUFBLElBQUEsVUFBQTtBQUFBLFFBQUksSUFBcUIsSUFBSSxNQUFNLE9BQU8sSUFBSSxFQUFFLEtBQUssQ0FBRztBQUFFLFlBQUEsT0FBQSxJQUFBO0FBQzFELFlBQUEsT0FBQSxJQUFBLFVBQUE7QUFBQSxRQUFJLElBQUksT0FBTyxFQUFFLENBQUMsRUFBRSxRQUFRLENBQUMsQ0FBQztBQUFFLFlBQUEsT0FBQSxJQUFBO0FBQ2hDLFNBQUs7QUFDTCxRQUFJO0FBQ0osWUFBQSxPQUFBLElBQUEsVUFBQTtBQUFBLFlBQVEsSUFBSSxDQUFDO0FBQUUsWUFBQSxPQUFBLElBQUE7QUFBQSxFQUNqQixTQUFBLFdBQUE7QUFBQSxVQUFBLFVBQUEsUUFBQSxPQUFBO0FBQUEsUUFBQSxVQUFBLEdBQUE7QUFBQSxjQUFBLFVBQUEsT0FBQTtBQUFBLGNBQUEsT0FBQSxJQUFBO0FBQUEsSUFBQTtBQUFBLFVBQUE7QUFBQSxFQUFBLFVBQUE7QUFBQSxZQUFBLENBQUEsSUFBQSxVQUFBO0FBQUEsRUFBQTtBQUFBO0FBQ0EsZUFBZTsiLCJuYW1lcyI6W119
