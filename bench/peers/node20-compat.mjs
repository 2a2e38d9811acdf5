// Promise.withResolvers is Node 22+; the Restate SDK uses it. This machine's Node may be 20:
// the standard's own definition, loaded before the SDK (node --import).
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
