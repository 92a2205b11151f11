//tsprof-sha256:fd924d1062dbd7a0f45ef2c8ef6edf90ecf6214e0b4e91478f0e922f52290ab2
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
//# sourceMappingURL=data:application/json;base64,ewogICJ2ZXJzaW9uIjogMywKICAic291cmNlcyI6IFsiL3dvcmsvd3Qvcm9idXN0L2ZpeHR1cmVzL2xpbmUvcHJvZmlsZW1lLnRzIl0sCiAgIm1hcHBpbmdzIjogIkFBQUEsSUFBSSxVQUFRLFdBQVcsU0FBUyxhQUFhLEVBQUMsUUFBTyw4Q0FBNkMsYUFBWSxDQUFDLEVBQUMsUUFBTyxrQkFBaUIsUUFBTyxHQUFFLFlBQVcsR0FBRSxXQUFVLEdBQUUsYUFBWSxHQUFFLFlBQVcsTUFBSyxDQUFDLEdBQUUsU0FBUSxDQUFDLEVBQUMsUUFBTyxHQUFFLE1BQUssR0FBRSxVQUFTLEdBQUUsUUFBTyxNQUFLLEdBQUUsRUFBQyxRQUFPLEdBQUUsTUFBSyxHQUFFLFVBQVMsR0FBRSxRQUFPLEtBQUksR0FBRSxFQUFDLFFBQU8sR0FBRSxNQUFLLEdBQUUsVUFBUyxHQUFFLFFBQU8sS0FBSSxHQUFFLEVBQUMsUUFBTyxHQUFFLE1BQUssR0FBRSxVQUFTLEdBQUUsUUFBTyxNQUFLLEdBQUUsRUFBQyxRQUFPLEdBQUUsTUFBSyxHQUFFLFVBQVMsR0FBRSxRQUFPLE1BQUssR0FBRSxFQUFDLFFBQU8sR0FBRSxNQUFLLEdBQUUsVUFBUyxHQUFFLFFBQU8sS0FBSSxDQUFDLEVBQUMsQ0FBQyxHQUFFLFVBQVEsUUFBUSxVQUFTLFVBQVEsUUFBUSxPQUFNLFVBQVEsUUFBUSxNQUFLLFVBQVEsUUFBUTtBQUVwaUIsU0FBUyxpQkFBaUI7QUFBQyxVQUFRLENBQUM7QUFBSSxRQUFNLFVBQVEsRUFBRSxRQUFRLENBQUM7QUFBRSxVQUFRLE9BQU8sSUFBRTtBQUFFLE1BQUk7QUFBUSxNQUFHO0FBQ25HLFlBQVEsQ0FBQztBQUFJLFlBQVEsT0FBTyxJQUFFLFVBQVE7QUFBRSxRQUFJLElBQXFCLElBQUksTUFBTSxPQUFPLElBQUksRUFBRSxLQUFLLENBQUc7QUFBRSxZQUFRLE9BQU8sSUFBRTtBQUNuSCxZQUFRLE9BQU8sSUFBRSxVQUFRO0FBQUUsUUFBSSxJQUFJLE9BQU8sRUFBRSxDQUFDLEVBQUUsUUFBUSxDQUFDLENBQUM7QUFBRSxZQUFRLE9BQU8sSUFBRTtBQUM1RSxTQUFLO0FBQ0wsUUFBSTtBQUNKLFlBQVEsT0FBTyxJQUFFLFVBQVE7QUFBRSxZQUFRLElBQUksQ0FBQztBQUFFLFlBQVEsT0FBTyxJQUFFO0FBQUEsRUFDN0QsU0FBTyxXQUFVO0FBQUMsVUFBTSxVQUFRLFFBQVEsT0FBTztBQUFFLFFBQUcsVUFBUSxHQUFFO0FBQUMsY0FBUSxVQUFRLE9BQU87QUFBSSxjQUFRLE9BQU8sSUFBRTtBQUFBLElBQUM7QUFBQyxVQUFNO0FBQUEsRUFBUyxVQUFDO0FBQVEsWUFBUSxDQUFDLElBQUUsVUFBUTtBQUFBLEVBQUM7QUFBQztBQUMxSixlQUFlOyIsCiAgIm5hbWVzIjogW10KfQo=
