/**
 * The email a submitted form carries, read from the one field that looks like an email field.
 * Password, hidden and payment-card fields are passed over without their value being touched.
 */
export const formEmail = (form: HTMLFormElement): string | undefined => {
  for (const field of form.elements as unknown as HTMLInputElement[]) {
    const type = field.type;
    const names = `${field.name} ${field.id} ${field.autocomplete}`;
    // Only a field that looks like an email field, and is no secret, has its value read.
    const email =
      !/^(password|hidden)$/.test(type) &&
      !/(^| )cc-|card|cvc|cvv/i.test(names) &&
      (type === 'email' || /mail/i.test(names)) &&
      field.value.trim();
    if (email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return email;
  }
};

/** The form's id, else its name, else its position among the page's forms. */
export const formId = (form: HTMLFormElement): string =>
  // getAttribute: `form.id` would be a field named "id" if the form has one.
  form.getAttribute('id') || form.getAttribute('name') || `${[...document.forms].indexOf(form)}`;
