// A database client whose server never answers: each query's resolve
// function waits in `pending` for a reply that never comes.
class Client {
  constructor() {
    this.pending = new Map();
    this.sent = 0;
  }
  query(_sql) {
    return new Promise(resolve => this.pending.set(++this.sent, resolve));
  }
}

module.exports = {client: new Client()};
