// Promise.withResolvers is Node 22+; the Restate SDK uses it and Node 20 lacks it, so this adds
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
