// A retry operation written as the `retry` package writes it: its module keeps
// no variable that a function closes over, so `self` below lives in the
// context of `attempt`'s call, whose outer context is the realm's.
function RetryOperation() {
  this.fn = null;
  this.timer = null;
}

RetryOperation.prototype.attempt = function (fn) {
  // The shape under test: `this` kept in a variable its timer closes over.
  // eslint-disable-next-line @typescript-eslint/no-this-alias
  var self = this;
  this.fn = fn;
  this.timer = setTimeout(function () {
    self.fn();
  }, 60000);
};

RetryOperation.prototype.stop = function () {
  clearTimeout(this.timer);
};

module.exports = RetryOperation;
