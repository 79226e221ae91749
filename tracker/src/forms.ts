/** `__lookupGetter__` (everywhere, if not in TypeScript's lib): shorter than the descriptor. */
type Getter = HTMLFormElement & {
  __lookupGetter__(name: 'elements'): (this: HTMLFormElement) => HTMLInputElement[];
};

/**
 * The email a submitted form carries, read from the one field that looks like an email field.
 * Password, hidden and payment-card fields are passed over without their value being touched.
 */
export const formEmail = (form: HTMLFormElement): string | undefined => {
  // Through the prototype's getter: a field named "elements" shadows `form.elements`.
  for (const field of (HTMLFormElement.prototype as Getter)
    .__lookupGetter__('elements')
    .call(form)) {
    // The type first: `type="email"` says mail too.
    const names = `${field.type} ${field.name} ${field.id} ${field.autocomplete}`;
    // Only a field that looks like an email field, and is no secret, has its value read.
    const email =
      !/^(password|hidden) | cc-|card|cvc|cvv/i.test(names) &&
      /mail/i.test(names) &&
      // A fieldset's or object's value is no string.
      typeof field.value === 'string' &&
      field.value.trim();
    if (email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return email;
  }
};

/** The form's id, else its name, else its position among the page's forms. */
export const formId = (form: HTMLFormElement): string =>
  // getAttribute: `form.id` would be a field named "id" if the form has one.
  form.getAttribute('id') || form.getAttribute('name') || `${[...document.forms].indexOf(form)}`;
