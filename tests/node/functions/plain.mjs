// A plain function that durable handlers invoke.
export const target = async (event) => ({ doubled: event.value * 2 });
